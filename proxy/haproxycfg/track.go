package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// track records a server with `track [<backend>/]<server>` (checked by
// parser/haproxy: the target exists and is checked, no loop): it takes
// the tracked server's UP/stopping/DOWN transitions from the check
// runner (its check's and its agent's), and its maintenance and drain
// from the runtime (internal/haproxycmd/run_track.go).
func (b *builder) track(px *haproxy.Proxy, s *haproxy.Server) {
	of, ok := s.Other["track"]
	if !ok {
		return
	}
	if !strings.Contains(of, "/") {
		of = px.Name + "/" + of
	}
	b.plan.Trackers = append(b.plan.Trackers, check.Tracker{Backend: px.Name, Server: s.Name, Backup: s.Backup, Of: of})
}
