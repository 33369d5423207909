package balance

import "sync"

// random is `balance random[(draws)]` (HAProxy's get_server_rnd): draw a
// random point on the consistent-hash ring `draws` times (default 2, "power
// of two choices") and keep the server with the fewest connections relative
// to its weight. A chosen server at its maxconn yields nil so the request
// queues, as in HAProxy.
type random struct {
	mu    sync.Mutex
	r     *ring
	opts  Options
	draws int
}

func newRandom(servers []*Server, opts Options, draws int) *random {
	r := newRing(servers, opts.AllBackups)
	r.balanceFactor = opts.HashBalanceFactor
	return &random{r: r, opts: opts, draws: draws}
}

func (b *random) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.r.refresh()
}

func (b *random) Pick(*Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.r.c.totWeight == 0 {
		return nil
	}
	var cur *Server
	for d := 0; d < b.draws; d++ {
		prev := cur
		cur = b.r.lookup(b.opts.rand32())
		if cur == nil {
			break
		}
		if prev != nil && prev != cur &&
			cur.Conns.Load()*int64(b.weightOf(prev)) > prev.Conns.Load()*int64(b.weightOf(cur)) {
			cur = prev
		}
	}
	if cur != nil && !hasRoom(cur) {
		return nil
	}
	return cur
}

func (b *random) weightOf(s *Server) int {
	if i := s.ID - 1; i >= 0 && i < len(b.r.members) && b.r.members[i].s == s {
		return b.r.members[i].eweight
	}
	for _, m := range b.r.members {
		if m.s == s {
			return m.eweight
		}
	}
	return 0
}
