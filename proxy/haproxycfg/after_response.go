package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
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

// backendAfterResponse maps a backend's http-after-response rules, which
// HAProxy runs before the frontend's on the responses of the requests the
// backend took (a listen section's are its frontend half's). Those of a
// backend with a stats page are reported (see afterResponseServices).
func (b *builder) backendAfterResponse(px *haproxy.Proxy, be *proxy.Backend) {
	if len(px.HTTPAfterResponseRules) == 0 || be.Mode != proxy.ModeHTTP {
		return
	}
	if len(be.Services) > 0 {
		for _, r := range px.HTTPAfterResponseRules {
			b.unsupported(r.Pos, "http-after-response "+r.Action+" with a stats page or a service in the backend")
		}
		return
	}
	acls := acl.NewSet(px.ACLs).WithUserlists(b.userlists)
	be.AfterResponseRules = b.rules(px, "http-after-response", px.HTTPAfterResponseRules, acls, nil, nil, nil)
}
