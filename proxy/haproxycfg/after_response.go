package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// afterResponseServices reports a frontend's http-after-response rules
// when it also answers with a service (its stats page, use-service):
// goha applies those rules to the server's responses and to the pages
// the proxy makes, not yet to what a service writes, and a rule is never
// dropped quietly.
func (b *builder) afterResponseServices(px *haproxy.Proxy, fe *proxy.Frontend) {
	if len(fe.AfterResponseRules) == 0 {
		return
	}
	serves := len(fe.Services) > 0
	for _, r := range fe.RequestRules {
		serves = serves || r.Action == proxy.UseService
	}
	if !serves {
		return
	}
	for _, r := range px.HTTPAfterResponseRules {
		b.unsupported(r.Pos, "http-after-response "+r.Action+" with a stats page or a service in the frontend")
	}
	fe.AfterResponseRules = nil
}
