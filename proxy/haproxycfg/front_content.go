package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// frontContentRules maps an HTTP frontend's tcp-request content rules
// (httpContentRules) and, when there are any, ends them with a
// CountFrontendRequest: HAProxy 2.6 counts the request (http_req_cnt,
// http_req_rate) on the stream's tracked entries once its content rules
// ran, those of the connection (tcp-request connection and session
// track-sc) and of the content rules alike, before the http-request
// rules (measured: TestContentTrackCountsMatchHAProxy). Its track-sc<n>
// there track without counting (TrackSCContent, as a backend's); an
// accept skips the content rules after it, not the count.
func (b *builder) frontContentRules(px *haproxy.Proxy, acls *acl.Set, fe *proxy.Frontend, ruleSlots map[haproxy.Pos]int) []proxy.HeaderRule {
	out := b.httpContentRules(px, acls, fe, ruleSlots) // tcprules.go
	if len(out) == 0 {
		return out
	}
	for i := range out {
		if out[i].Action == proxy.TrackSC {
			out[i].Action = proxy.TrackSCContent
		}
	}
	return append(out, proxy.HeaderRule{Action: proxy.CountFrontendRequest})
}
