package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// timeoutRule maps http-request set-timeout server|tunnel <time>
// (proxy/actions_timeout.go). Expression values are reported.
func (b *builder) timeoutRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	if kw == "http-request" && len(r.Args) == 2 && (r.Args[0] == "server" || r.Args[0] == "tunnel") &&
		haproxy.TimerTrailing(r.Args[1]) < 0 {
		if d, _, err := haproxy.ParseTime(r.Args[1]); err == nil && d > 0 {
			return proxy.HeaderRule{Action: proxy.SetTimeout, Wait: d, Name: r.Args[0]}, true
		}
	}
	b.unsupported(r.Pos, strings.TrimSpace(kw+" set-timeout "+strings.Join(r.Args, " ")))
	return proxy.HeaderRule{}, false
}
