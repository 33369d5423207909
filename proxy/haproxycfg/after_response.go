package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// afterResponseServices reports a frontend's http-response silent-drop
// rules when it also has a stats page: goha does not drop its replies,
// and a rule is never dropped quietly. (A use-service's reply is dropped
// as HAProxy drops it: proxy/service_reply_rules.go dropServiceReply.
// http-after-response rules run on the services' replies,
// proxy/after_response.go afterServiceHead.)
func (b *builder) afterResponseServices(px *haproxy.Proxy, fe *proxy.Frontend) {
	if len(fe.Services) == 0 {
		return
	}
	for _, r := range px.HTTPResponseRules {
		if r.Action == "silent-drop" {
			b.unsupported(r.Pos, "http-response silent-drop with a stats page in the frontend")
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
