package proxy

import "time"

// SetTimeout is http-request set-timeout server|tunnel <time>|<expr>: the
// transaction waits on its server for Wait (or Millis' value) instead of
// the backend's timeout server, or (Name "tunnel") an upgraded connection
// idles that long at most instead of its timeout tunnel.
const SetTimeout RuleAction = 400

// setTimeout applies a SetTimeout rule. An expression's value is read as
// HAProxy 2.6 reads it (measured on 2.6.12): milliseconds cut to a 32-bit
// int; no value leaves the timeout as it was; 0 is HAProxy's "eternity"
// tick, which the backend's timeout replaces once the server connection
// is up, as if no rule had run; a negative value is a deadline already
// past: the stream times out at once, and cur_server_timeout reads it.
func (s *session) setTimeout(r *HeaderRule) {
	d := r.Wait
	if r.Millis != nil {
		n, ok := r.Millis(&s.info)
		if !ok {
			return
		}
		d = time.Duration(int32(n)) * time.Millisecond
	}
	// wait is what the exchange waits: a past deadline is the shortest
	// one deadlineFrom keeps.
	wait := d
	if d < 0 {
		wait = time.Nanosecond
	}
	if r.Name == "tunnel" {
		s.tl.tunnelTimeout = wait
		s.info.streamSetTunnelTimeout(d)
		return
	}
	s.tl.serverTimeout = wait
	s.info.streamSetServerTimeout(d)
}

// serverTimeout is the server-side inactivity timeout of the exchange.
func (x *exchange) serverTimeout() time.Duration {
	if d := x.s.tl.serverTimeout; d > 0 {
		return d
	}
	return x.be.cfg.Timeouts.Server
}
