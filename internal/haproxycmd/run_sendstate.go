package haproxycmd

import (
	"fmt"
	"net"
	"os"

	"github.com/goha-lb/goha/proxy/check"
)

// serverStateFigures is the part of `http-check send-state`'s header after
// the check state, as HAProxy 2.6 writes it: the server's address and
// port, backend/server, the node name, the server's weight over the
// backend's total (the usable active servers', else the backups'), its
// sessions over the backend's running ones, and its queue. A server in
// slow start gets no "throttle=" part from goha (a known difference).
func (w *worker) serverStateFigures(t *check.Target) string {
	node := w.plan.Process.Node
	if node == "" {
		node, _ = os.Hostname() // HAProxy's default node name
	}
	addr, port, weight, act, bck, scur, running, qcur := "", "", 0, 0, 0, int64(0), int64(0), int64(0)
	for _, b := range w.px.Backends() {
		if b.Name != t.Backend {
			continue
		}
		running = b.Stats.CurSessions - b.Stats.Queue
		for _, s := range b.Servers {
			if s.Up && s.Weight > 0 {
				if s.Backup {
					bck += s.Weight
				} else {
					act += s.Weight
				}
			}
			if s.Name == t.Server {
				addr, port, _ = net.SplitHostPort(s.Addr)
				weight, scur, qcur = s.Weight, s.Stats.CurSessions, s.Stats.Queue
			}
		}
	}
	total := act
	if total == 0 {
		total = bck
	}
	return fmt.Sprintf("; address=%s; port=%s; name=%s/%s; node=%s; weight=%d/%d; scur=%d/%d; qcur=%d",
		addr, port, t.Backend, t.Server, node, weight, total, scur, running, qcur)
}
