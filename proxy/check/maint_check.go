package check

// A check in maintenance, as HAProxy 2.6 runs it: entering maintenance
// pauses the check and empties its health (srv_set_admin_flag: health 0),
// but a check under way at that moment goes on, and its result counts
// when it ends (set_server_check_status): the health moves from 0 (a pass
// makes it 1 with rise 2), the status, code and duration are the new
// ones, and log-health-checks logs it ("status: 1/2 DOWN"); the server's
// state does not change (check_notify_* leave a server in maintenance
// alone) and no further check runs. Leaving maintenance starts afresh
// (SetMaintenance). Measured: TestMaintDuringCheckMatchesHAProxy.

// pause puts s into maintenance: its pending check is stopped by the
// caller, one under way keeps running; r.mu is held.
func (r *Runner) pause(s *targetState) {
	s.maintH = NewHealth(s.h.Rise, s.h.Fall)
	s.maintH.health, s.maintH.up = 0, false
}

// maintHealth is the health a target in maintenance shows: 0, or what a
// check under way when it entered made of it (maintH; a target put into
// maintenance by its configuration or a state file has none).
func (s *targetState) maintHealth() Health {
	if s.maintH.Rise == 0 {
		h := NewHealth(s.h.Rise, s.h.Fall)
		h.health, h.up = 0, false
		return h
	}
	return s.maintH
}

// recordPaused counts the result of a check that was under way when s
// entered maintenance; r.mu is held.
func (r *Runner) recordPaused(s *targetState, res Result) {
	h := s.maintHealth()
	r.count(s, &h, res)
	s.maintH = h
}
