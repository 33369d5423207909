package balance

import "sync"

// roundRobin is HAProxy's `balance roundrobin` (lb_fwrr.c): a weighted
// round robin over positions in a window of the group's total effective
// weight, with servers moving between a "current", an "init" and a "next"
// tree. Reproducing it step by step (rather than a textbook smooth WRR)
// gives the very same pick sequence as HAProxy, including after weight and
// state changes, which the differential tests check.
type roundRobin struct {
	mu         sync.Mutex
	nodes      []*rrNode
	members    []*member
	c          census
	act, bck   rrGroup
	allBackups bool
	seq        uint64
}

type rrGroup struct {
	curr       ordTree
	t0, t1     ordTree
	init, next *ordTree
	// currWeight is the window being served, nextWeight the total weight
	// of the group's usable servers (the next window), currPos the position
	// reached in the current window.
	currWeight, nextWeight, currPos int
}

type rrNode struct {
	m      *member
	item   ordItem
	lbTree *ordTree // HAProxy's lb_tree: kept across a dequeue, nil = down
	// pending state (HAProxy's next_*), committed into m by commit().
	nextUsable bool
	nextEW     int
	// positions: npos is the next position the server is due at, lpos the
	// last one it was served at, rweight the carried division remainder.
	npos, lpos, rweight int
}

func newRoundRobin(servers []*Server, opts Options) *roundRobin {
	b := &roundRobin{allBackups: opts.AllBackups}
	for _, g := range []*rrGroup{&b.act, &b.bck} {
		g.curr.seq, g.t0.seq, g.t1.seq = &b.seq, &b.seq, &b.seq
		g.init, g.next = &g.t0, &g.t1
	}
	for _, s := range servers {
		ew := clampWeight(s.Weight) * weightScale
		m := &member{s: s, usable: s.Up && ew > 0, backup: s.Backup, eweight: ew}
		n := &rrNode{m: m, nextUsable: m.usable, nextEW: ew}
		n.item.val = n
		b.nodes = append(b.nodes, n)
		b.members = append(b.members, m)
	}
	b.c.count(b.members, b.allBackups)
	b.act.nextWeight = b.c.totWact
	b.bck.nextWeight = b.c.totWbck
	for _, g := range []*rrGroup{&b.act, &b.bck} {
		g.currWeight, g.currPos = g.nextWeight, g.nextWeight
	}
	for _, n := range b.nodes {
		if n.m.usable {
			b.queueByWeight(b.group(n).init, n)
		}
	}
	return b
}

func clampWeight(w int) int { return max(0, min(w, uweightMax)) }

func (b *roundRobin) group(n *rrNode) *rrGroup {
	if n.m.backup {
		return &b.bck
	}
	return &b.act
}

func (b *roundRobin) queueByWeight(root *ordTree, n *rrNode) {
	root.insert(&n.item, int64(eweightMax-n.nextEW))
	n.lbTree = root
}

// queue puts n back where its next position belongs (fwrr_queue_srv):
// the current tree if it falls inside this window, else the next tree.
func (b *roundRobin) queue(n *rrNode) {
	g := b.group(n)
	switch {
	case !n.nextUsable:
		n.lbTree = nil
	case n.nextEW <= 0 || n.npos >= 2*g.currWeight || n.npos >= g.currWeight+g.nextWeight:
		n.npos -= g.currWeight
		b.queueByWeight(g.next, n)
	default:
		key := int64(uweightMax)*int64(n.npos) + int64(eweightMax+n.rweight-n.nextEW)/weightScale
		g.curr.insert(&n.item, key)
		n.lbTree = &g.curr
	}
}

// fetch adjusts n's position for the tree it is taken from (fwrr_get_srv).
func (b *roundRobin) fetch(n *rrNode) {
	g := b.group(n)
	switch n.lbTree {
	case g.init:
		n.npos, n.rweight = 0, 0
	case g.next:
		n.npos += g.currWeight
	case nil:
		n.npos = g.currPos
	}
}

func (g *rrGroup) switchTrees() {
	g.init, g.next = g.next, g.init
	g.currWeight = g.nextWeight
	g.currPos = g.currWeight
}

// fromGroup returns the server due at the current position, or one that
// has not been served yet in this window (the init tree), or nil.
func (b *roundRobin) fromGroup(g *rrGroup) *rrNode {
	var n1 *rrNode
	if it := g.curr.first(); it != nil {
		n1 = it.val.(*rrNode)
		if n1.m.eweight > 0 && n1.npos <= g.currPos {
			return n1
		}
	}
	if it := g.init.first(); it != nil {
		n2 := it.val.(*rrNode)
		if n2.m.eweight > 0 {
			n2.npos, n2.rweight = 0, 0
			return n2
		}
	}
	return n1
}

func (g *rrGroup) advance(n *rrNode) {
	ew := n.m.eweight
	if ew == 0 {
		return
	}
	if n.npos == 0 {
		n.npos = g.currPos // first time ever for this server
	}
	n.lpos = n.npos
	n.npos += g.nextWeight / ew
	n.rweight += g.nextWeight % ew
	if n.rweight >= ew {
		n.rweight -= ew
		n.npos++
	}
}

// Pick implements Balancer (fwrr_get_next_server). Servers at their
// maxconn are passed over and keep their turn.
func (b *roundRobin) Pick(*Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	var g *rrGroup
	switch {
	case b.c.srvAct > 0:
		g = &b.act
	case b.c.fbck != nil:
		return b.c.fbck.s
	case b.c.srvBck > 0:
		g = &b.bck
	default:
		return nil
	}
	switched := false
	var full []*rrNode
	var n *rrNode
	for {
		if g.currWeight == 0 {
			g.currPos, g.currWeight = g.nextWeight, g.nextWeight
		}
		for {
			n = b.fromGroup(g)
			if n != nil {
				break
			}
			if switched {
				b.requeue(g, full, nil, switched)
				return nil
			}
			switched = true
			g.switchTrees()
		}
		g.advance(n)
		n.item.remove()
		g.currPos++
		if hasRoom(n.m.s) {
			break
		}
		full = append(full, n)
	}
	b.queue(n)
	b.requeue(g, full, n, switched)
	return n.m.s
}

// requeue puts back saturated servers passed over by Pick: by weight into
// the init tree when the trees switched (their place is lost), else as if
// they had been served.
func (b *roundRobin) requeue(g *rrGroup, full []*rrNode, picked *rrNode, switched bool) {
	for _, f := range full {
		if f == picked {
			continue
		}
		if switched {
			b.queueByWeight(g.init, f)
		} else {
			b.queue(f)
		}
	}
}

// Update implements Balancer: every server whose usability, weight or
// backup flag changed goes through HAProxy's down/up/weight procedures, in
// id order.
func (b *roundRobin) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.nodes {
		s := n.m.s
		ew := clampWeight(s.Weight) * weightScale
		if s.Backup != n.m.backup {
			if n.m.usable {
				n.nextUsable = false
				b.down(n)
			}
			n.m.backup = s.Backup
			n.lbTree = nil
		}
		n.nextUsable, n.nextEW = s.Up && ew > 0, ew
		b.updateWeight(n)
	}
}

func (b *roundRobin) commit(n *rrNode) {
	n.m.usable, n.m.eweight = n.nextUsable, n.nextEW
	b.c.count(b.members, b.allBackups)
}

func (b *roundRobin) down(n *rrNode) {
	if n.m.usable {
		g := b.group(n)
		g.nextWeight -= n.m.eweight
		n.item.remove()
		n.lbTree = nil
	}
	b.commit(n)
}

func (b *roundRobin) up(n *rrNode) {
	if !n.m.usable {
		g := b.group(n)
		g.nextWeight += n.nextEW
		b.fetch(n)
		n.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/n.nextEW
		b.queue(n)
	}
	b.commit(n)
}

// updateWeight is fwrr_update_server_weight: a change of usability is a
// down or up; a new weight of a server that stays usable moves its next
// position so the change takes effect within the current window.
func (b *roundRobin) updateWeight(n *rrNode) {
	if n.nextUsable == n.m.usable && n.nextEW == n.m.eweight {
		return
	}
	switch {
	case !n.m.usable && !n.nextUsable:
		b.commit(n)
		return
	case !n.m.usable:
		b.up(n)
		return
	case !n.nextUsable:
		b.down(n)
		return
	}
	g := b.group(n)
	g.nextWeight = g.nextWeight - n.m.eweight + n.nextEW
	switch {
	case n.lbTree == g.init:
		n.item.remove()
		b.queueByWeight(g.init, n)
	case n.lbTree == nil:
		n.item.remove()
		b.fetch(n)
		n.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/n.nextEW
		b.queue(n)
	default:
		b.fetch(n)
		if n.nextEW > 0 {
			prev := n.npos
			step := g.nextWeight / n.nextEW
			n.npos = n.lpos + step
			n.rweight = 0
			if n.npos > prev {
				n.npos = prev
			}
			if n.npos < g.currPos+2 {
				n.npos = g.currPos + step
			}
		} else {
			n.npos = g.currPos + g.currWeight
		}
		n.item.remove()
		b.queue(n)
	}
	b.commit(n)
}
