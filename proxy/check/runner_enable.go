package check

// SetEnabled turns a server's health check (agent false) or agent check
// off or back on, the stats page's "disable/enable checks" actions: off,
// no check runs and the health stays where it is; on again, checking
// resumes from that health an interval later (unless the server is in
// maintenance).
// It reports whether the server has such a check.
func (r *Runner) SetEnabled(backend, server string, agent, on bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend != backend || s.t.Server != server || s.t.Agent != agent {
			continue
		}
		if s.disabled == !on {
			return true
		}
		s.disabled = !on
		s.gen++
		s.running = false
		if s.timer != nil && s.timer.Stop() {
			r.wg.Done()
		}
		s.timer = nil
		if on && !s.maint {
			// HAProxy's check task kept its pace while off: the next
			// check comes an interval later, not at once
			r.schedule(s, r.spread(s.t.Intervals.Next(s.h)))
		}
		return true
	}
	return false
}
