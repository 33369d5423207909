package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// afterResponseServices reports a frontend's http-response silent-drop
// rules when it also answers with a service (its stats page,
// use-service): goha does not drop a service's reply, and a rule is
// never dropped quietly. (Its http-after-response rules run on the
// service's replies, proxy/after_response.go afterServiceHead.)
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
}

// backendAfterResponse maps a backend's http-after-response rules, which
// HAProxy runs before the frontend's on the responses of the requests the
// backend took (a listen section's are its frontend half's), its stats
// page's replies included.
func (b *builder) backendAfterResponse(px *haproxy.Proxy, be *proxy.Backend) {
	if len(px.HTTPAfterResponseRules) == 0 || be.Mode != proxy.ModeHTTP {
		return
	}
	acls := acl.NewSet(px.ACLs).WithUserlists(b.userlists)
	be.AfterResponseRules = b.rules(px, "http-after-response", px.HTTPAfterResponseRules, acls, nil, nil, nil)
}
