package balance

import (
	"sort"

	"github.com/goha-lb/goha/proxy/internal/hashfn"
)

// ring is HAProxy's consistent-hash tree (lb_chash.c): each usable server
// of the balanced group owns eweight (= weight x 16) points at
// fullHash(id*4096 + n), n = 0..eweight-1. Points depend only on the id and
// the point number, so removing a server moves only the keys it owned and
// lowering a weight drops its highest-numbered points.
type ring struct {
	members []*member
	// allocated is how many points HAProxy has allocated per server: the
	// configured weight, grown when a weight is raised beyond it. Growing
	// takes all the server's points out of the ring and puts them back,
	// which moves the round-robin walk's position (see skipLast).
	allocated  []int
	c          census
	act, bck   []ringPoint // sorted by key, then server id (stable)
	allBackups bool
	// balanceFactor is `hash-balance-factor` (0 = off): bounded loads.
	balanceFactor int
	cumulative    []int  // per member: eweight of the usable servers before it in its group
	last          uint32 // key of the point the round-robin walk stopped at
	lastID        int    // and its server's id
	lastSet       bool
}

type ringPoint struct {
	key uint32
	m   *member
}

func newRing(servers []*Server, allBackups bool) *ring {
	r := &ring{allBackups: allBackups}
	for _, s := range servers {
		r.members = append(r.members, &member{s: s})
		r.allocated = append(r.allocated, clampWeight(s.Weight)*weightScale)
	}
	r.refresh()
	return r
}

func (r *ring) refresh() {
	r.act, r.bck = r.act[:0], r.bck[:0]
	regrown := false // the walk's server had all its points taken out and back
	for i, m := range r.members {
		ew := clampWeight(m.s.Weight) * weightScale
		m.eweight, m.backup, m.usable = ew, m.s.Backup, m.s.Up && ew > 0
		if !m.usable {
			continue
		}
		pts := &r.act
		if m.backup {
			pts = &r.bck
		}
		if ew > r.allocated[i] {
			r.allocated[i] = ew
			if r.lastSet && r.lastID == m.s.ID {
				regrown = true
			}
		}
		for n := 0; n < ew; n++ {
			*pts = append(*pts, ringPoint{key: hashfn.FullHash(uint32(m.s.puid()*eweightMax + n)), m: m})
		}
	}
	for _, pts := range [][]ringPoint{r.act, r.bck} {
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].key < pts[j].key })
	}
	r.c.count(r.members, r.allBackups)
	r.cumulative = r.cumulative[:0]
	var cumAct, cumBck int
	for _, m := range r.members {
		switch {
		case !m.usable:
			r.cumulative = append(r.cumulative, 0)
		case m.backup:
			r.cumulative = append(r.cumulative, cumBck)
			cumBck += m.eweight
		default:
			r.cumulative = append(r.cumulative, cumAct)
			cumAct += m.eweight
		}
	}
	switch {
	case regrown:
		r.skipLast(r.lastID, true)
	case r.lastSet && !r.hasPoint(r.act, r.last, r.lastID) && !r.hasPoint(r.bck, r.last, r.lastID):
		r.skipLast(r.lastID, false)
	}
}

// skipLast moves the walk's position off a point that leaves the ring,
// as HAProxy's chash_skip_node does: to the next remaining point in key
// order (wrapping), or nowhere. When all of the server's points leave and
// come back (growth beyond its allocation), its own points are skipped.
// It runs while the new ring is built or after, so points already removed
// are never chosen.
func (r *ring) skipLast(id int, notOwn bool) {
	pts := r.act
	if i := id - 1; i >= 0 && i < len(r.members) && r.members[i].backup {
		pts = r.bck
	}
	start := sort.Search(len(pts), func(i int) bool { return pts[i].key > r.last })
	for k := 0; k < len(pts); k++ {
		p := pts[(start+k)%len(pts)]
		if !notOwn || p.m.s.ID != id {
			r.last, r.lastID = p.key, p.m.s.ID
			return
		}
	}
	r.lastSet = false
}

func (r *ring) hasPoint(pts []ringPoint, key uint32, id int) bool {
	for i := sort.Search(len(pts), func(i int) bool { return pts[i].key >= key }); i < len(pts) && pts[i].key == key; i++ {
		if pts[i].m.s.ID == id {
			return true
		}
	}
	return false
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
		i = p
	}
	if r.balanceFactor > 0 {
		// bounded loads: walk on to the first server under its share
		for loop := 0; !r.eligible(pts[i].m); {
			if i++; i == len(pts) {
				i = 0
				if loop++; loop > 1 {
					break
				}
			}
		}
	}
	return pts[i].m.s
}

// eligible is chash_server_is_eligible ("Consistent Hashing with Bounded
// Loads"): a server may take a request while it serves fewer than its
// weighted share of factor% of the backend's requests (plus this one).
func (r *ring) eligible(m *member) bool {
	var served int64
	for _, o := range r.members {
		served += o.s.Conns.Load()
	}
	tot := r.c.totWeight
	if tot == 0 {
		return true
	}
	slots := (int(served+1)*r.balanceFactor + 99) / 100
	perWeight, rem := slots/tot, slots%tot
	cum := 0
	if i := m.s.ID - 1; i >= 0 && i < len(r.cumulative) && r.members[i] == m {
		cum = r.cumulative[i]
	}
	mine := m.eweight*perWeight + (cum+m.eweight)*rem/tot - cum*rem/tot
	if mine == 0 {
		mine = 1
	}
	return m.s.Conns.Load() < int64(mine)
}

// nextRR is chash_get_next_server, the fallback when a hashing algorithm
// finds no key: walk the ring from the point after the one used last time
// (from the first point when there is none), skipping servers at their
// maxconn.
func (r *ring) nextRR() *Server {
	pts, fixed := r.points()
	if fixed != nil || len(pts) == 0 {
		return fixed
	}
	start := 0
	if r.lastSet {
		i := sort.Search(len(pts), func(i int) bool { return pts[i].key >= r.last })
		for i < len(pts) && pts[i].key == r.last && pts[i].m.s.ID != r.lastID {
			i++ // same key, another server's point
		}
		start = i + 1
	}
	for k := 0; k < len(pts); k++ {
		p := pts[(start+k)%len(pts)]
		r.last, r.lastID, r.lastSet = p.key, p.m.s.ID, true
		if hasRoom(p.m.s) {
			return p.m.s
		}
	}
	return nil
}
