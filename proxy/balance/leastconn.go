package balance

import "sync"

// leastConn is `balance leastconn` (lb_fwlc.c): the server with the fewest
// connections relative to its weight. HAProxy keeps servers in a tree keyed
// by (conns+1)*4096/eweight (0 for an idle server) and re-inserts a server
// each time its connection count changes, after the others with the same
// key: equal servers therefore take turns. Here the key is computed at pick
// time from the live Conns, and seq records when a server was last
// re-inserted (its count changed, or it was picked).
type leastConn struct {
	mu      sync.Mutex
	members []*member
	c       census
	opts    Options
	seen    []int64  // Conns at the last look, per member
	moved   []uint64 // Moves at the last look, per member
	seq     []uint64 // last re-insertion, per member
	tick    uint64
}

func newLeastConn(servers []*Server, opts Options) *leastConn {
	b := &leastConn{opts: opts}
	for _, s := range servers {
		b.members = append(b.members, &member{s: s})
		b.tick++
		b.seq = append(b.seq, b.tick)
		b.seen = append(b.seen, s.Conns.Load())
		b.moved = append(b.moved, s.Moves.Load())
	}
	b.refresh()
	return b
}

func (b *leastConn) refresh() {
	for _, m := range b.members {
		ew := clampWeight(m.s.Weight) * weightScale
		m.eweight, m.backup, m.usable = ew, m.s.Backup, m.s.Up && ew > 0
	}
	b.c.count(b.members, b.opts.AllBackups)
}

func (b *leastConn) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	// connection counts that moved since the last pick were re-inserted
	// by HAProxy when they moved, before this change
	b.observeConns()
	for i, m := range b.members {
		was, wasEW := m.usable, m.eweight
		m.usable = usableNow(m.s)
		ew := clampWeight(m.s.Weight) * weightScale
		if m.usable && (!was || ew != wasEW) {
			// HAProxy re-inserts a server that comes up or changes weight:
			// it goes after the others with the same key.
			b.tick++
			b.seq[i] = b.tick
		}
	}
	b.refresh()
}

func (b *leastConn) Pick(*Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c.srvAct == 0 && b.c.fbck != nil {
		return b.c.fbck.s
	}
	b.observeConns()
	best := -1
	var bestKey int64
	for i, m := range b.members {
		if !b.c.inGroup(m) {
			continue
		}
		conns := b.seen[i]
		if !hasRoom(m.s) {
			continue
		}
		var key int64
		if conns > 0 {
			key = (conns + 1) * eweightMax / int64(m.eweight)
		}
		if best < 0 || key < bestKey || key == bestKey && b.seq[i] < b.seq[best] {
			best, bestKey = i, key
		}
	}
	if best < 0 {
		return nil
	}
	// The caller takes a connection on it now: HAProxy re-inserts it then
	// (and again when it ends, which keeps it last among its equals; a
	// count still raised at the next look is one more re-insertion).
	b.tick++
	b.seq[best] = b.tick
	return b.members[best].s
}

// observeConns re-inserts (moves last) every server whose connection count
// changed since the last look, or was taken and released meanwhile.
func (b *leastConn) observeConns() {
	for i, m := range b.members {
		conns, moves := m.s.Conns.Load(), m.s.Moves.Load()
		if conns != b.seen[i] || moves != b.moved[i] {
			b.tick++
			b.seq[i] = b.tick
		}
		b.seen[i], b.moved[i] = conns, moves
	}
}
