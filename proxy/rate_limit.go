package proxy

import (
	"sync/atomic"
	"time"
)

// rateGate is a frontend's `rate-limit sessions <rate>`, as HAProxy 2.6's
// listener_accept applies it: before each accept, the frontend's session
// rate over the last second (its fe_sess_per_sec, the fe_sess_rate fetch)
// must leave room for one more; otherwise the listener stops accepting
// for next_event_delay's milliseconds and the clients wait in the
// kernel's accept queue. A session is counted once its handshakes are
// done (serve), so the connections accepted and not counted yet are
// pending events in the check, which keeps a burst within the rate.
type rateGate struct {
	limit   uint32
	pending atomic.Int32
}

// add counts an accepted connection as pending; false without a limit.
func (g *rateGate) add() bool {
	if g.limit == 0 {
		return false
	}
	g.pending.Add(1)
	return true
}

// waitSessionRate waits until the frontend may accept one more session
// within its rate; false when done closes.
func (f *frontend) waitSessionRate(done <-chan struct{}) bool {
	g := &f.rate
	if g.limit == 0 {
		return true
	}
	for {
		now, pend := StickNow(), uint32(max(g.pending.Load(), 0))
		if f.stats.sessRate.Remain(ratePeriod, now, g.limit, pend) > 0 {
			return true
		}
		d := f.stats.sessRate.NextDelay(ratePeriod, now, g.limit, pend)
		t := time.NewTimer(time.Duration(max(d, 1)) * time.Millisecond)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return false
		}
	}
}

// rateCounted ends the session's pending state: it was counted, or ends
// without being a session.
func (s *session) rateCounted() {
	if s.ratePending {
		s.ratePending = false
		s.fe.rate.pending.Add(-1)
	}
	if s.procRatePending {
		s.procRatePending = false
		s.p.rates.endPending(true)
	}
}

// FrontendRateLimit is a frontend's `rate-limit sessions` (show stat's
// rate_lim; 0: none).
func (p *Proxy) FrontendRateLimit(name string) int {
	for _, f := range p.frontends {
		if f.cfg.Name == name {
			return int(f.rate.limit)
		}
	}
	return 0
}
