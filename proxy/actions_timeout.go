package proxy

import "time"

// SetTimeout is http-request set-timeout server <time>: the transaction
// waits on its server for Wait instead of the backend's timeout server.
const SetTimeout RuleAction = 400

// serverTimeout is the server-side inactivity timeout of the exchange.
func (x *exchange) serverTimeout() time.Duration {
	if d := x.s.tl.serverTimeout; d > 0 {
		return d
	}
	return x.be.cfg.Timeouts.Server
}
