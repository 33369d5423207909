package haproxycmd

// checksOff says whether the stats page turned the server's health check
// (agent false) or agent check off.
func (w *worker) checksOff(backend, server string, agent bool) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.checksOff[checkKey{backend, server, agent}]
}

type checkKey struct {
	backend, server string
	agent           bool
}

// SetCheckEnabled is the stats page's "Health|Agent: disable|enable
// checks": ok is false when the server has no such check (HAProxy then
// leaves it out of the count). A check turned off shows as none in
// `show stat` and keeps the server's state.
func (s *runtimeSource) SetCheckEnabled(backend, server string, agent, on bool) (ok bool) {
	w := s.w
	if agent && w.agentSpec(backend, server) == nil || !agent && w.checkSpec(backend, server) == nil {
		return false
	}
	w.rt.mu.Lock()
	if w.rt.checksOff == nil {
		w.rt.checksOff = map[checkKey]bool{}
	}
	w.rt.checksOff[checkKey{backend, server, agent}] = !on
	w.rt.mu.Unlock()
	if w.checks != nil {
		w.checks.SetEnabled(backend, server, agent, on)
	}
	return true
}
