package haproxycfg

import (
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
)

// observe maps a checked server's `observe`, `error-limit` and
// `on-error` onto its check target and tells the data path to report
// the server's traffic (proxy.Server.Observe). Without `check` HAProxy's
// on-error has no check to act on and only counts hanafail, which goha
// does not show: the server is then not observed.
func (b *builder) observe(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server, t *check.Target) {
	switch s.Other["observe"] {
	case "layer4":
		t.Observe = check.ObserveLayer4
	case "layer7":
		if px.Mode != "http" {
			// HAProxy alerts and goes on; goha refuses rather than guess
			// what it then observes.
			b.unsupported(s.Pos, "observe layer7 in a tcp backend")
			return
		}
		t.Observe = check.ObserveLayer7
	default:
		return
	}
	t.ErrorLimit = check.DefaultErrorLimit
	if n, err := strconv.Atoi(s.Other["error-limit"]); err == nil && n > 0 {
		t.ErrorLimit = n // the parser kept the count atol read
	}
	switch s.Other["on-error"] {
	case "fastinter":
		t.OnError = check.OnErrorFastInter
	case "sudden-death":
		t.OnError = check.OnErrorSuddenDeath
	case "mark-down":
		t.OnError = check.OnErrorMarkDown
	default: // fail-check, HAProxy's default
		t.OnError = check.OnErrorFailCheck
	}
	sv.Observe = true
}
