package check

// SetAddr points a target's checks at addr ("host:port") from its next
// check on (`set server ... addr`, `set server ... check-port`). It
// reports whether the target exists.
func (r *Runner) SetAddr(backend, server, addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && !s.t.Agent {
			s.t.Addr = addr
			return true
		}
	}
	return false
}

// Addr is where a target's checks connect now.
func (r *Runner) Addr(backend, server string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && !s.t.Agent {
			return s.t.Addr, true
		}
	}
	return "", false
}

// Force sets a target's health as `set server B/S health` does: fully
// healthy for up and stopping (HAProxy's rise+fall-1), 0 for down; the
// checks go on from there. Like SetMaintenance it neither calls Apply nor
// logs (the caller does both). It reports whether the target exists.
func (r *Runner) Force(backend, server string, up, stopping bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend != backend || s.t.Server != server || s.t.Agent {
			continue
		}
		h := NewHealth(s.h.Rise, s.h.Fall)
		if up {
			h.health = h.Rise + h.Fall - 1
		} else {
			h.health, h.up = 0, false
		}
		s.h, s.stopping = h, up && stopping
		return true
	}
	return false
}

// agentState finds a server's agent target; r.mu is held.
func (r *Runner) agentTarget(backend, server string) *targetState {
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && s.t.Agent {
			return s
		}
	}
	return nil
}

// SetAgent changes where a server's agent-check connects and what it
// sends (`set server ... agent-addr|agent-port|agent-send`), from its
// next round on. It reports whether the server has an agent.
func (r *Runner) SetAgent(backend, server, addr string, send []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.agentTarget(backend, server)
	if s == nil {
		return false
	}
	s.t.Addr, s.t.Prober = addr, AgentProbe{Send: send}
	return true
}

// ForceAgent sets an agent's health as `set server B/S agent up|down`
// does; like Force it neither calls Apply nor logs.
func (r *Runner) ForceAgent(backend, server string, up bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.agentTarget(backend, server)
	if s == nil {
		return false
	}
	h := NewHealth(1, 1)
	if !up {
		h.health, h.up = 0, false
	}
	s.h = h
	return true
}

// Running reports whether a server's check (agent: its agent-check) is
// under way, which HAProxy marks with "* " before its status in `show
// stat` and with bit 0 of the check state in `show servers state`.
func (r *Runner) Running(backend, server string, agent bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && s.t.Agent == agent {
			return s.running
		}
	}
	return false
}

// FailedChecks is a server's `show stat` chkfail: the failed checks that
// took health away, its agent's included (HAProxy's one failed_checks
// counter per server).
func (r *Runner) FailedChecks(backend, server string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server {
			n += s.failed
		}
	}
	return n
}

// Restore sets a target's state as a server-state file carried it over
// (internal/haproxycmd run_state.go), before Start: its health, up or
// down, stopping, and in maintenance or not. Out of range, health is kept
// within 0..rise+fall-1; last, when set, is the last check's status.
// Nothing is scheduled or logged. It reports whether the target exists.
func (r *Runner) Restore(backend, server string, health int, up, stopping, maint bool, last *Status) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend != backend || s.t.Server != server || s.t.Agent {
			continue
		}
		h := NewHealth(s.h.Rise, s.h.Fall)
		h.health, h.up = min(max(health, 0), h.Rise+h.Fall-1), up
		s.h, s.stopping, s.maint = h, up && stopping, maint
		if last != nil {
			s.last, s.lastStatus, s.checked = Result{Status: *last, Duration: -1}, *last, true
		}
		return true
	}
	return false
}
