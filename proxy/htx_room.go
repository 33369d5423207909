package proxy

// The room a header rule finds in HAProxy 2.6's HTX buffer (htx.c). A
// message head sits in a table of 8-byte blocks growing down from the end
// of the buffer and payloads growing up from its start. Removing a field
// leaves its block in the table, unused, and its payload as a hole, except
// a payload that ends where the next one would go, which is taken back.
// Adding a field first checks the free space, unused blocks and holes
// counted as taken; it fails there. Only when the payload does not fit
// between the last payload and the table does HAProxy compact the buffer,
// dropping the unused blocks and the holes for the rules after it. A
// field of about 8 KB copied into a head of 8 KB is where the order of
// these steps shows.

// htxLayout is what the rules left of a head's buffer besides its live
// fields: unused blocks, holes, and the payloads the rules placed since
// the last compaction.
type htxLayout struct {
	unused int // blocks of removed fields still in the table
	holes  int // payload bytes of removed fields still in the buffer
	// placed are the payload sizes of the fields the rules added, in
	// the order they were placed: only the last can be taken back.
	placed []int
	// from is, for each field of the edited list, its index in placed,
	// or -1 for a field of the message as received (whose payload the
	// end of the head follows).
	from []int32
}

// reset starts a message as its parser left it: fields of the head
// contiguous from the start, nothing unused.
func (l *htxLayout) reset(fields int) {
	l.unused, l.holes = 0, 0
	l.placed = l.placed[:0]
	l.from = l.from[:0]
	for range fields {
		l.from = append(l.from, -1)
	}
}

// remove notes that field i (of size bytes) left the list.
func (l *htxLayout) remove(i, size int) {
	k := -1
	if i < len(l.from) {
		k = int(l.from[i])
		l.from = append(l.from[:i], l.from[i+1:]...)
	}
	l.unused++
	if k >= 0 && k == len(l.placed)-1 {
		l.placed = l.placed[:k] // it ended the payloads: taken back
		return
	}
	l.holes += size
}

// drop forgets field i, which took no room (a Connection field the H1
// parser consumed).
func (l *htxLayout) drop(i int) {
	if i < len(l.from) {
		l.from = append(l.from[:i], l.from[i+1:]...)
	}
}

// fits reports whether a field of need bytes has room in a head whose
// live payloads take data bytes in blocks blocks, as htx_reserve_nxblk
// decides; when it does not fit between the last payload and the table,
// the buffer is compacted first, as HAProxy's htx_defrag does.
func (l *htxLayout) fits(room, data, blocks, need int) bool {
	free := room - data - (blocks+l.unused+1)*htxBlock
	if need > free {
		return false
	}
	if need > free-l.holes {
		l.unused, l.holes = 0, 0
		l.placed = l.placed[:0]
		for i := range l.from {
			l.from[i] = -1
		}
	}
	return true
}

// place notes a field of size bytes added at the end of the list.
func (l *htxLayout) place(size int) {
	l.from = append(l.from, int32(len(l.placed)))
	l.placed = append(l.placed, size)
}

// copyFrom takes over another list's layout (the http-after-response
// rules edit the head the http-response rules left).
func (l *htxLayout) copyFrom(o *htxLayout) {
	l.unused, l.holes = o.unused, o.holes
	l.placed = append(l.placed[:0], o.placed...)
	l.from = append(l.from[:0], o.from...)
}
