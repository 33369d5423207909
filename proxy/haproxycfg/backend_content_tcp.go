package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// tcpBackendContent maps a tcp-mode backend's `tcp-request content`
// rules, which HAProxy 2.6 runs after the frontend's, on the same bytes,
// under the backend's inspect-delay (proxy/backend_content_tcp.go):
// accept, reject, the variable actions and track-sc<n> (into the
// backend's table by default). Its other actions are refused there.
func (b *builder) tcpBackendContent(px *haproxy.Proxy) []proxy.TCPConnRule {
	keep := func(rs []haproxy.HTTPRule) []haproxy.HTTPRule {
		var out []haproxy.HTTPRule
		for _, r := range rs {
			_, isVar, _ := haproxy.ParseVarAction(r.Action)
			_, isSC, _ := haproxy.ParseSCAction(r.Action, r.Args)
			if isVar || isSC || (r.Action == "accept" || r.Action == "reject") && len(r.Args) == 0 {
				out = append(out, r)
				continue
			}
			b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a tcp backend")
		}
		return out
	}
	cp := *px
	cp.TCPContentRules, cp.TCPContentTracks = keep(px.TCPContentRules), keep(px.TCPContentTracks)
	return b.tcpContentRules(&cp, acl.NewSet(px.ACLs).WithUserlists(b.userlists).WithPayload())
}
