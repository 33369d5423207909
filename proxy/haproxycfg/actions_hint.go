package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// earlyHintRule maps http-request early-hint <name> <fmt>
// (proxy/actions_hint.go); %[...] values go through acl.CompileFormat as
// set-header's do. An HTTP/2 client gets each 103 as a HEADERS frame
// (the stream's bridge, proxy/h2_bridge.go; TestEarlyHintH2Differential).
func (b *builder) earlyHintRule(px *haproxy.Proxy, r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	full := strings.TrimSpace(kw + " early-hint " + strings.Join(r.Args, " "))
	if kw != "http-request" || len(r.Args) != 2 {
		b.unsupported(r.Pos, full)
		return proxy.HeaderRule{}, false
	}
	hr := proxy.HeaderRule{Action: proxy.EarlyHint, Name: strings.ToLower(r.Args[0]), Value: r.Args[1]}
	if strings.Contains(r.Args[1], "%") {
		f, err := acl.CompileFormat(r.Args[1])
		place := acl.FrontRequest
		if px.Kind == "listen" || px.Kind == "backend" {
			place = acl.ListenRequest
		}
		if msg := acl.FormatUnavailable(r.Args[1], place); err == nil && msg != "" {
			err = errors.New(msg)
		}
		if err != nil {
			b.unsupported(r.Pos, full+": "+err.Error())
			return proxy.HeaderRule{}, false
		}
		hr.Format = f
	}
	return hr, true
}
