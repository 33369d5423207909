package proxy

import (
	"errors"

	"github.com/goha-lb/goha/proxy/check"
)

// observe reports one outcome of the traffic sent to a server with
// `observe` (Server.Observe) to Options.Observe, as HAProxy's
// health_adjust calls: each connection attempt, each response head (or
// the failure to read one).
func (s *server) observe(a check.Analysis) {
	if s.observer != nil {
		s.observer(a)
	}
}

// responseAnalysis classifies a failure to read a server's response
// head: timeout, close before any byte, invalid head, other read error.
func responseAnalysis(err error, got int) check.Analysis {
	switch {
	case isTimeout(err):
		return check.AnaHTTPReadTimeout
	case errors.Is(err, errBadResponse) && got == 0:
		return check.AnaHTTPBrokenPipe
	case errors.Is(err, errBadResponse):
		return check.AnaHTTPHeaders
	}
	return check.AnaHTTPReadError
}
