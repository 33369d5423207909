package check

import "fmt"

// AddTarget adds the check of a server `add server ... check` created.
// HAProxy 2.6 configures such a check switched off (`enable health`
// starts it, SetEnabled) with health 0, and runs it even in the
// maintenance the server was created in: there its results move the
// health and are logged, but change no state (no Apply, no UP/DOWN
// line) until the server leaves maintenance (SetMaintenance(false),
// which starts it afresh as for any server).
func (r *Runner) AddTarget(t *Target) error {
	if err := t.validate(); err != nil {
		return fmt.Errorf("health check of %s/%s: %w", t.Backend, t.Server, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend == t.Backend && s.t.Server == t.Server && s.t.Agent == t.Agent {
			return fmt.Errorf("health check of %s/%s exists", t.Backend, t.Server)
		}
	}
	h := NewHealth(t.Rise, t.Fall)
	h.health, h.up = 0, false
	r.states = append(r.states, &targetState{t: t, h: h, disabled: true, createdMaint: true})
	return nil
}

// RemoveTarget drops a server's checks (`del server`); a check running
// now has its result dropped.
func (r *Runner) RemoveTarget(backend, server string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.states[:0]
	for _, s := range r.states {
		if s.t.Backend != backend || s.t.Server != server {
			kept = append(kept, s)
			continue
		}
		s.gen++
		if s.timer != nil && s.timer.Stop() {
			r.wg.Done()
		}
		s.timer = nil
	}
	clear(r.states[len(kept):])
	r.states = kept
}

// AgentLeavesMaint ends the maintenance an `add server` agent-check was
// created in: its results change the server's state from now on. It
// reports the agent's state then (a dynamic server's agent starts at
// health 0: DOWN until it answers up), and whether the server has such
// an agent.
func (r *Runner) AgentLeavesMaint(backend, server string) (up, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.agentTarget(backend, server)
	if s == nil || !s.createdMaint {
		return false, false
	}
	s.createdMaint = false
	return s.h.Up(), true
}
