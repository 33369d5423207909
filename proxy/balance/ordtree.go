package balance

// ordTree stands in for HAProxy's eb32 trees: entries ordered by key, and
// equal keys in insertion order (ebtree appends duplicates after the ones
// already there). That tie order is what makes equal-weight servers come out
// in declaration order, so it is kept exactly. A binary heap gives first()
// in O(1) and insert/remove in O(log n).
type ordTree struct {
	h   []*ordItem
	seq *uint64 // shared insertion counter of the balancer
}

type ordItem struct {
	key  int64
	seq  uint64
	idx  int      // position in tree.h
	tree *ordTree // nil when not queued
	val  any
}

func (t *ordTree) less(i, j int) bool {
	a, b := t.h[i], t.h[j]
	return a.key < b.key || a.key == b.key && a.seq < b.seq
}

func (t *ordTree) swap(i, j int) {
	t.h[i], t.h[j] = t.h[j], t.h[i]
	t.h[i].idx, t.h[j].idx = i, j
}

func (t *ordTree) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.less(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *ordTree) down(i int) {
	n := len(t.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && t.less(r, l) {
			m = r
		}
		if !t.less(m, i) {
			return
		}
		t.swap(i, m)
		i = m
	}
}

func (t *ordTree) insert(it *ordItem, key int64) {
	*t.seq++
	it.key, it.seq, it.tree, it.idx = key, *t.seq, t, len(t.h)
	t.h = append(t.h, it)
	t.up(it.idx)
}

// remove deletes it from whatever tree holds it (eb32_delete).
func (it *ordItem) remove() {
	t := it.tree
	if t == nil {
		return
	}
	i, last := it.idx, len(t.h)-1
	if i != last {
		t.swap(i, last)
	}
	t.h[last] = nil
	t.h = t.h[:last]
	if i != last {
		t.down(i)
		t.up(i)
	}
	it.tree = nil
}

func (t *ordTree) first() *ordItem {
	if len(t.h) == 0 {
		return nil
	}
	return t.h[0]
}
