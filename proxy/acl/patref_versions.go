package acl

import "errors"

// Versioned updates of a reference (HAProxy 2.6's "prepare map|acl",
// "add map|acl @<ver>", "commit map|acl @<ver>"): entries added under a
// version newer than the current one wait, unseen by the matchers, until
// that version is committed; the commit then replaces the current
// entries with them in one change. Versions compare as HAProxy's 32-bit
// generation numbers do, by signed difference.

// verEntry is an entry waiting for its version.
type verEntry struct {
	gen uint32
	e   PatEntry
}

// Errors of the versioned commands.
var (
	ErrFutureVersion = errors.New("version in the future")
	ErrVersionRange  = errors.New("version out of range")
)

// Versions are the current and the last prepared version.
func (r *PatRef) Versions() (cur, next uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.curVer, r.nextVer
}

// Count is the number of entries of every version.
func (r *PatRef) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries) + len(r.pending)
}

// Prepare opens a new version and returns its number.
func (r *PatRef) Prepare() uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextVer++
	return r.nextVer
}

// AddVersion adds an entry to a version (the current one: at once).
func (r *PatRef) AddVersion(ver uint32, key, value string) error {
	r.mu.Lock()
	cur, next := r.curVer, r.nextVer
	r.mu.Unlock()
	if ver == cur {
		return r.Add(key, value)
	}
	if int32(ver-next) > 0 {
		return ErrFutureVersion
	}
	patRefs.Lock()
	patRefs.nextEn++
	id := patRefs.nextEn
	patRefs.Unlock()
	r.mu.Lock()
	r.pending = append(r.pending, verEntry{gen: ver, e: PatEntry{ID: id, Key: key, Value: value}})
	r.mu.Unlock()
	return nil
}

// EntriesVersion are the entries of a version, in order.
func (r *PatRef) EntriesVersion(ver uint32) []PatEntry {
	r.mu.Lock()
	if ver == r.curVer {
		r.mu.Unlock()
		return r.Entries()
	}
	defer r.mu.Unlock()
	var out []PatEntry
	for _, p := range r.pending {
		if p.gen == ver {
			out = append(out, p.e)
		}
	}
	return out
}

// ClearVersion removes the entries of a version.
func (r *PatRef) ClearVersion(ver uint32) error {
	r.mu.Lock()
	if ver == r.curVer {
		r.mu.Unlock()
		return r.Clear()
	}
	defer r.mu.Unlock()
	r.pending = keepPending(r.pending, func(p verEntry) bool { return p.gen != ver })
	return nil
}

// Commit makes a prepared version the current one: its entries replace
// the current entries (older versions are dropped, newer ones wait).
func (r *PatRef) Commit(ver uint32) error {
	r.mu.Lock()
	if int32(ver-r.curVer) <= 0 || int32(ver-r.nextVer) > 0 {
		r.mu.Unlock()
		return ErrVersionRange
	}
	var next []PatEntry
	for _, p := range r.pending {
		if p.gen == ver {
			next = append(next, p.e)
		}
	}
	r.mu.Unlock()
	if err := r.change(func([]PatEntry) ([]PatEntry, error) { return next, nil }); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.curVer = ver
	r.pending = keepPending(r.pending, func(p verEntry) bool { return int32(p.gen-ver) > 0 })
	return nil
}

func keepPending(in []verEntry, keep func(verEntry) bool) []verEntry {
	var out []verEntry
	for _, p := range in {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}
