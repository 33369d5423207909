package balance

import "sort"

// ring is HAProxy's consistent-hash tree (lb_chash.c): each usable server
// of the balanced group owns eweight (= weight x 16) points at
// fullHash(id*4096 + n), n = 0..eweight-1. Points depend only on the id and
// the point number, so removing a server moves only the keys it owned and
// lowering a weight drops its highest-numbered points.
type ring struct {
	members    []*member
	c          census
	act, bck   []ringPoint // sorted by key, then server id (stable)
	allBackups bool
	last       uint32 // key of the point the round-robin walk stopped at
	lastSet    bool
}

type ringPoint struct {
	key uint32
	m   *member
}

func newRing(servers []*Server, allBackups bool) *ring {
	r := &ring{allBackups: allBackups}
	for _, s := range servers {
		r.members = append(r.members, &member{s: s})
	}
	r.refresh()
	return r
}

func (r *ring) refresh() {
	r.act, r.bck = r.act[:0], r.bck[:0]
	for _, m := range r.members {
		ew := clampWeight(m.s.Weight) * weightScale
		m.eweight, m.backup, m.usable = ew, m.s.Backup, m.s.Up && ew > 0
		if !m.usable {
			continue
		}
		pts := &r.act
		if m.backup {
			pts = &r.bck
		}
		for n := 0; n < ew; n++ {
			*pts = append(*pts, ringPoint{key: fullHash(uint32(m.s.ID*eweightMax + n)), m: m})
		}
	}
	for _, pts := range [][]ringPoint{r.act, r.bck} {
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].key < pts[j].key })
	}
	r.c.count(r.members, r.allBackups)
}

// points returns the ring picks use now, or a fixed server (fbck), or
// neither when nothing is usable.
func (r *ring) points() ([]ringPoint, *Server) {
	switch {
	case r.c.srvAct > 0:
		return r.act, nil
	case r.c.fbck != nil:
		return nil, r.c.fbck.s
	default:
		return r.bck, nil
	}
}

// lookup is chash_get_server_hash: the point nearest to h on the ring,
// the one before it winning ties.
func (r *ring) lookup(h uint32) *Server {
	pts, fixed := r.points()
	if fixed != nil || len(pts) == 0 {
		return fixed
	}
	i := sort.Search(len(pts), func(i int) bool { return pts[i].key >= h })
	if i == len(pts) {
		i = 0
	}
	p := i - 1
	if p < 0 {
		p = len(pts) - 1
	}
	dp := h - pts[p].key
	dn := pts[i].key - h
	if dp <= dn {
		return pts[p].m.s
	}
	return pts[i].m.s
}

// nextRR is chash_get_next_server, the fallback when a hashing algorithm
// finds no key: walk the ring one point further than last time, skipping
// servers at their maxconn.
func (r *ring) nextRR() *Server {
	pts, fixed := r.points()
	if fixed != nil || len(pts) == 0 {
		return fixed
	}
	start := 0
	if r.lastSet {
		start = sort.Search(len(pts), func(i int) bool { return pts[i].key >= r.last })
	}
	for k := 1; k <= len(pts); k++ {
		p := pts[(start+k)%len(pts)]
		if hasRoom(p.m.s) {
			r.last, r.lastSet = p.key, true
			return p.m.s
		}
	}
	return nil
}
