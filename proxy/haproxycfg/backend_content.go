package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// backendContentRules maps an HTTP backend's tcp-request content rules,
// which HAProxy 2.6 runs once the request is routed to it, before the
// backend's http-request rules (AN_REQ_INSPECT_BE, on the parsed request:
// the inspect delay has nothing to wait for): the actions an HTTP
// frontend's content rules run (httpContentRules: accept, reject,
// silent-drop, track-sc<n>, sc-inc-gpc*/sc-set-gpt*, the variable,
// address, priority, set-tos/set-mark and set-log-level actions). An
// accept skips the content rules after it. A track-sc<n> there counts
// the request on its entry only once the content rules ran
// (proxy/backend_track.go). capture, which needs a slot of
// the backend's own, is refused (HAProxy refuses it too), as are
// switch-mode and the actions no HTTP proxy runs.
func (b *builder) backendContentRules(px *haproxy.Proxy, acls *acl.Set) []proxy.HeaderRule {
	var run []haproxy.HTTPRule
	for _, r := range px.TCPContentRules {
		if !httpContentRuns(r) || r.Action == "switch-mode" {
			b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a backend")
			continue
		}
		run = append(run, r)
	}
	in := *px
	in.TCPContentRules = run
	out := b.httpContentRules(&in, acls, nil, nil) // tcprules.go
	tracks := false
	for i := range out {
		if out[i].Action == proxy.TrackSC {
			out[i].Action, tracks = proxy.TrackSCContent, true
		}
	}
	if tracks {
		// the request counted on them once the content rules ran
		out = append(out, proxy.HeaderRule{Action: proxy.CountContentTracks})
	}
	return out
}
