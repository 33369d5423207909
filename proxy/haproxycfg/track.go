package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// track records a server with `track [<backend>/]<server>` (checked by
// parser/haproxy: the target exists and is checked, no loop): it takes
// the tracked server's UP/DOWN transitions from the check runner.
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

// trackTarget finds the tracked server "backend/server" (nil when absent:
// the parser refused that already).
func (b *builder) trackTarget(of string) *haproxy.Server {
	if b.cfg == nil {
		return nil
	}
	pxName, svName, _ := strings.Cut(of, "/")
	for _, px := range b.cfg.Backends {
		if px.Name != pxName {
			continue
		}
		for _, sv := range px.Servers {
			if sv.Name == svName {
				return sv
			}
		}
	}
	return nil
}
