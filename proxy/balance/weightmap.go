package balance

// weightMap is HAProxy's map lookup (lb_map.c), shared by `static-rr` and
// by the hashing algorithms under `hash-type map-based`: a table with one
// slot per unit of effective weight, filled so that servers are spread
// evenly and, for equal weights, in declaration order. Effective weights
// are the user weights divided by their greatest common divisor, which keeps
// the table small.
type weightMap struct {
	members    []*member
	c          census
	gcd        int
	table      []*member
	rrIdx      int
	allBackups bool
}

func newWeightMap(servers []*Server, allBackups bool) *weightMap {
	w := &weightMap{allBackups: allBackups, gcd: 1}
	first := true
	for _, s := range servers {
		u := clampWeight(s.Weight)
		if u == 0 {
			continue
		}
		if first {
			w.gcd, first = u, false
			continue
		}
		a, b := w.gcd, u
		for b != 0 {
			a, b = b, a%b
		}
		w.gcd = a
	}
	for _, s := range servers {
		w.members = append(w.members, &member{s: s})
	}
	w.refresh()
	return w
}

// refresh commits every server's current state and rebuilds the table
// (HAProxy recounts and recalculates the whole map on any change).
func (w *weightMap) refresh() {
	for _, m := range w.members {
		ew := (clampWeight(m.s.Weight) + w.gcd - 1) / w.gcd
		m.eweight, m.backup, m.usable = ew, m.s.Backup, m.s.Up && ew > 0
	}
	w.c.count(w.members, w.allBackups)
	w.recalc()
}

// recalc is recalc_server_map: slot by slot, every eligible server earns
// its weight and the richest (first declared on ties) takes the slot and
// pays the total.
func (w *weightMap) recalc() {
	tot := w.c.totWeight
	w.table = w.table[:0]
	if w.c.totUsed == 0 || tot == 0 {
		return
	}
	backup := w.c.srvAct == 0
	score := make([]int, len(w.members))
	for o := 0; o < tot; o++ {
		best, max := -1, 0
		for i, m := range w.members {
			if m.backup != backup || !m.usable {
				continue
			}
			if tot == 1 {
				best = i
				break
			}
			score[i] += m.eweight
			v := (score[i] + tot) / tot
			if best < 0 || v > max {
				max, best = v, i
			}
		}
		var pick *member
		if best >= 0 {
			pick = w.members[best]
			score[best] -= tot
		}
		w.table = append(w.table, pick)
	}
}

// nextRR is map_get_server_rr: walk the table from the saved index,
// skipping servers at their maxconn.
func (w *weightMap) nextRR() *Server {
	tot := len(w.table)
	if tot == 0 {
		return nil
	}
	if w.rrIdx < 0 || w.rrIdx >= tot {
		w.rrIdx = 0
	}
	idx := w.rrIdx
	for {
		m := w.table[idx]
		idx++
		if m != nil && hasRoom(m.s) {
			w.rrIdx = idx
			return m.s
		}
		if idx == tot {
			idx = 0
		}
		if idx == w.rrIdx {
			return nil
		}
	}
}

// lookup is map_get_server_hash.
func (w *weightMap) lookup(h uint32) *Server {
	tot := len(w.table)
	if tot == 0 {
		return nil
	}
	if m := w.table[h%uint32(tot)]; m != nil {
		return m.s
	}
	return nil
}
