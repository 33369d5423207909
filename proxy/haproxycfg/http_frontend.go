package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// httpFrontend maps what an HTTP frontend's requests go through: its
// unique-id, captures, content and http-request rules, response rules,
// redirects, stats page and monitor-uri. declared is the frontend as
// written (a tcp one upgraded to HTTP: switchmode.go).
func (b *builder) httpFrontend(px, declared *haproxy.Proxy, fe *proxy.Frontend, acls *acl.Set, pages *pageSet) {
	fe.UniqueID, fe.UniqueIDHeader = b.uniqueID(px), px.UniqueIDHeader
	var ruleSlots map[haproxy.Pos]int
	fe.ReqCaptures, fe.ResCaptures, ruleSlots = captureSlots(px)
	if cc := px.CaptureCookie; cc != nil {
		fe.CaptureCookie, fe.CaptureCookieLen = cc.Name, cc.Len
	}
	content := b.frontContentRules(px, acls, fe, ruleSlots) // front_content.go
	fe.RequestRules = append(content, b.rules(px, "http-request", px.HTTPRequestRules, acls, pages, fe, ruleSlots)...)
	fe.FirstContentSkip = len(content)
	b.firstContent(declared, px) // switchmode.go
	fe.ResponseRules = b.rules(px, "http-response", px.HTTPResponseRules, acls, pages, fe, ruleSlots)
	fe.AfterResponseRules = b.rules(px, "http-after-response", px.HTTPAfterResponseRules, acls, pages, fe, ruleSlots)
	fe.Redirects = b.redirects(px, acls)
	fe.Services = b.statsPage(px, proxy.ModeHTTP, acls)
	fe.Monitor = b.monitor(px, acls)
	b.afterResponseServices(px, fe) // after_response.go
}
