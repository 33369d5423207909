package proxy

import "time"

// SetTimeout is http-request set-timeout server|tunnel <time>: the
// transaction waits on its server for Wait instead of the backend's
// timeout server, or (Name "tunnel") an upgraded connection idles for
// Wait at most instead of its timeout tunnel.
const SetTimeout RuleAction = 400

// setTimeout applies a SetTimeout rule.
func (s *session) setTimeout(r *HeaderRule) {
	if r.Name == "tunnel" {
		s.tl.tunnelTimeout = r.Wait
		s.info.streamSetTunnelTimeout(r.Wait)
		return
	}
	s.tl.serverTimeout = r.Wait
	s.info.streamSetServerTimeout(r.Wait)
}

// serverTimeout is the server-side inactivity timeout of the exchange.
func (x *exchange) serverTimeout() time.Duration {
	if d := x.s.tl.serverTimeout; d > 0 {
		return d
	}
	return x.be.cfg.Timeouts.Server
}
