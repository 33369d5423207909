package proxy

import (
	"math/rand/v2"
	"time"
)

// CloseSpread is the global `close-spread-time` (HAProxy 2.6): at a soft
// stop the closing of the front connections is spread over Window
// instead of done at once, or, Infinite, not done by the proxy at all.
// The zero value is HAProxy's default.
//
// As HAProxy's H1 and H2 muxes do (measured on 2.6.12), from the start of
// the soft stop until Window has passed:
//   - an HTTP/1 client connection waiting for its next request is closed
//     at a time drawn at random over what remains of the window (its own
//     keep-alive or client timeout when that comes within the window);
//     drawn again each time it goes back to waiting;
//   - a response says "Connection: close" (and ends its connection) with
//     a probability growing from 0 at the stop to 1 at the window's end
//     (HAProxy's remaining <= random(window));
//   - an HTTP/2 connection gets its GOAWAY at a random time within what
//     remains of the window (HAProxy decides at each of its wake-ups with
//     the same law; goha draws once).
//
// After the window, everything closes as without the option (goha's
// softStopGrace for idle HTTP/1 connections included). Infinite: no
// "Connection: close", no GOAWAY; idle connections end at their timeouts
// and the stop waits for them.
type CloseSpread struct {
	Window   time.Duration
	Infinite bool
}

// startSpread opens the spread window at the soft stop's start (the
// signal, before a grace period, as HAProxy's soft_stop); later calls
// keep the first start.
func (p *Proxy) startSpread() {
	if w := p.cfg.CloseSpread.Window; w > 0 {
		p.spreadEnd.CompareAndSwap(0, time.Now().Add(w).UnixNano())
	}
}

// spreadRemaining is what remains of the spread window at now (zero or
// less: no window, or past it).
func (p *Proxy) spreadRemaining(now time.Time) time.Duration {
	e := p.spreadEnd.Load()
	if e == 0 {
		return 0
	}
	return time.Unix(0, e).Sub(now)
}

// closeOnStop reports whether a response given now ends its client
// connection because the proxy is stopping.
func (p *Proxy) closeOnStop() bool {
	if !p.closing.Load() || p.cfg.CloseSpread.Infinite {
		return false
	}
	rem := p.spreadRemaining(time.Now())
	if rem <= 0 {
		return true
	}
	return rem <= rand.N(p.cfg.CloseSpread.Window)
}

// idleStopEnd is when an idle HTTP/1 client connection's wait ends under
// the soft stop: within the spread window at a random time over what
// remains of it, or at want (its own timeout) when that comes first
// within the window; past the window (or without one) at graceEnd.
func (s *session) idleStopEnd(now, want, graceEnd time.Time) time.Time {
	rem := s.p.spreadRemaining(now)
	if rem <= 0 {
		return graceEnd
	}
	if !want.IsZero() && !want.After(now.Add(rem)) {
		return want
	}
	return now.Add(rand.N(rem))
}

// idleWantTime is the deadline of the session's idle wait (zero: none).
func (s *session) idleWantTime() time.Time {
	if n := s.idleUntil.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// goAwayOnStop sends an HTTP/2 connection's GOAWAY for the soft stop: at
// once, at a random time within the spread window, or never (Infinite).
func (p *Proxy) goAwayOnStop(goAway func()) {
	if p.cfg.CloseSpread.Infinite {
		return
	}
	if rem := p.spreadRemaining(time.Now()); rem > 0 {
		time.AfterFunc(rand.N(rem), goAway)
		return
	}
	go goAway()
}

// unixNanoOrZero is t in Unix nanoseconds, 0 for the zero time.
func unixNanoOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
