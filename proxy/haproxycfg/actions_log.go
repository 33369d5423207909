package haproxycfg

import (
	"slices"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// logLevelRule maps set-log-level <level>|silent (proxy/actions_log.go).
func (b *builder) logLevelRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	if len(r.Args) == 1 {
		if r.Args[0] == "silent" {
			return proxy.HeaderRule{Action: proxy.SetLogLevel, Status: -1}, true
		}
		if i := slices.Index(haproxy.LogLevels, r.Args[0]); i >= 0 {
			return proxy.HeaderRule{Action: proxy.SetLogLevel, Status: i + 1}, true
		}
	}
	b.unsupported(r.Pos, strings.TrimSpace(kw+" set-log-level "+strings.Join(r.Args, " ")))
	return proxy.HeaderRule{}, false
}

// logLevelExec maps a tcp-request content (tcp mode) or tcp-response
// content set-log-level <level>|silent to its Exec on the session's log
// line (proxy.LogLevelExec); an unknown level is reported.
func (b *builder) logLevelExec(r haproxy.HTTPRule, kw string) (func(*proxy.RequestInfo), bool) {
	hr, ok := b.logLevelRule(r, kw)
	if !ok {
		return nil, false
	}
	return proxy.LogLevelExec(hr.Status), true
}
