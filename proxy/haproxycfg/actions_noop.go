package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// NoOp is a rule whose HAProxy 2.6 effect cannot occur in goha; its
// condition is still compiled (a condition goha cannot evaluate is
// reported). The data path runs nothing for it.
//   - wait-for-handshake waits for a TLS handshake still in progress on
//     early data (0-RTT); goha accepts no early data, so every request
//     arrives after a completed handshake, as in HAProxy without 0-RTT.
//   - disable-l7-retry turns off every retry but the connection-failure
//     ones; goha runs no other retry-on condition (they are reported).
const noOp proxy.RuleAction = 600

// noOpRule maps wait-for-handshake and disable-l7-retry (no arguments).
func (b *builder) noOpRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	if kw != "http-request" || len(r.Args) != 0 {
		b.unsupported(r.Pos, strings.TrimSpace(kw+" "+r.Action+" "+strings.Join(r.Args, " ")))
		return proxy.HeaderRule{}, false
	}
	return proxy.HeaderRule{Action: noOp}, true
}
