package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// timeoutRule maps http-request set-timeout server|tunnel <time>|<expr>
// (proxy/actions_timeout.go). As in HAProxy, a word that does not read
// as a time is a sample expression whose value is in milliseconds (the
// parser wrote HAProxy's messages for words that are neither).
func (b *builder) timeoutRule(r haproxy.HTTPRule, kw string, place acl.Place) (proxy.HeaderRule, bool) {
	full := strings.TrimSpace(kw + " set-timeout " + strings.Join(r.Args, " "))
	if kw != "http-request" || len(r.Args) != 2 || (r.Args[0] != "server" && r.Args[0] != "tunnel") {
		b.unsupported(r.Pos, full)
		return proxy.HeaderRule{}, false
	}
	if d, _, err := haproxy.ParseTime(r.Args[1]); err == nil && d > 0 {
		// text after the unit ("15min") was warned about and is ignored
		return proxy.HeaderRule{Action: proxy.SetTimeout, Wait: d, Name: r.Args[0]}, true
	}
	e, err := acl.CompileExpr(haproxy.ParseSample(r.Args[1]))
	if err == nil {
		if msg := acl.FormatUnavailable("%["+r.Args[1]+"]", place); msg != "" {
			err = errors.New(msg)
		}
	}
	if err != nil {
		b.unsupported(r.Pos, full+": "+err.Error())
		return proxy.HeaderRule{}, false
	}
	return proxy.HeaderRule{Action: proxy.SetTimeout, Millis: e.Int, Name: r.Args[0]}, true
}
