package balance

import (
	"sort"
	"sync"
)

// first is `balance first` (lb_fas.c): the usable server with the lowest
// id that is below its maxconn; servers without maxconn are never full, so
// the first of them takes everything that reaches it.
type first struct {
	mu      sync.Mutex
	members []*member
	c       census
	opts    Options
}

func newFirst(servers []*Server, opts Options) *first {
	b := &first{opts: opts}
	for _, s := range servers {
		b.members = append(b.members, &member{s: s})
	}
	// HAProxy walks servers by id, which `id` may set apart from the
	// declaration order.
	b.refresh()
	sort.SliceStable(b.members, func(i, j int) bool { return b.members[i].s.puid() < b.members[j].s.puid() })
	return b
}

func (b *first) refresh() {
	for _, m := range b.members {
		ew := clampWeight(m.s.Weight) * weightScale
		m.eweight, m.backup, m.usable = ew, m.s.Backup, m.s.Up && ew > 0
	}
	b.c.count(b.members, b.opts.AllBackups)
}

func (b *first) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refresh()
}

func (b *first) Pick(r *Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c.srvAct == 0 && b.c.fbck != nil {
		return b.c.fbck.s
	}
	var avoided *Server // the server to avoid, when no other has room
	for _, m := range b.members {
		if b.c.inGroup(m) && hasRoom(m.s) {
			if r != nil && r.Avoid == m.s && avoided == nil {
				avoided = m.s
				continue
			}
			return m.s
		}
	}
	return avoided
}
