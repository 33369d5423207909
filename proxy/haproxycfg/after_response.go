package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// afterResponseServices reports a frontend's http-after-response rules
// and http-response silent-drop rules when it also answers with a service
// (its stats page, use-service): goha applies them to the server's
// responses and to the pages the proxy makes, not yet to what a service
// writes, and a rule is never dropped quietly.
func (b *builder) afterResponseServices(px *haproxy.Proxy, fe *proxy.Frontend) {
	serves := len(fe.Services) > 0
	for _, r := range fe.RequestRules {
		serves = serves || r.Action == proxy.UseService
	}
	if !serves {
		return
	}
	for _, r := range px.HTTPResponseRules {
		if r.Action == "silent-drop" {
			b.unsupported(r.Pos, "http-response silent-drop with a stats page or a service in the frontend")
		}
	}
	if len(fe.AfterResponseRules) == 0 {
		return
	}
	for _, r := range px.HTTPAfterResponseRules {
		b.unsupported(r.Pos, "http-after-response "+r.Action+" with a stats page or a service in the frontend")
	}
	fe.AfterResponseRules = nil
}
