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
