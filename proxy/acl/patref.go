package acl

import (
	"fmt"
	"sort"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Pattern references, as HAProxy 2.6 keeps them (pattern.c pat_ref): one
// per file name, shared by every ACL (-f) and map converter that names
// the file, holding its entries in file order. The runtime API's map and
// acl commands change a reference; each user then rebuilds its lookup from
// the new entries and swaps it in (a request sees the old or the new
// table, never a half-built one). A compile re-reads the file, so a
// reload (a new worker compiling its configuration) starts from the file.

// PatEntry is one entry of a reference: its id (goha's, printed where
// HAProxy prints the entry's address), key and value (empty for an ACL
// file).
type PatEntry struct {
	ID         uint64
	Key, Value string
	// NoValue marks an entry add-acl put in a map: HAProxy keeps no
	// value for it (NULL), and show map prints the key alone.
	NoValue bool
}

// PatRef is one pattern or map file in use.
type PatRef struct {
	ID   int    // HAProxy's unique id, in order of first use
	Path string // the file name as written
	Map  bool   // two columns (a map converter or -M)

	mu      sync.Mutex
	entries []PatEntry
	users   []func([]PatEntry) error
	probes  []probe // map users' "get map" lines, one per match and output type
	// curVer, nextVer and pending are the versioned updates
	// (patref_versions.go).
	curVer, nextVer uint32
	pending         []verEntry
}

// probe is one kind of map user: users of the same match and output type
// share one, as HAProxy's users of a file share one expression per match.
type probe struct {
	kind  string
	order int // the ACL's config line (HAProxy lists users in parse order); 0 for maps
	line  func(sample string) string
}

// patRefs are the references of the process, by file name.
var patRefs = struct {
	sync.Mutex
	byPath map[string]*PatRef
	nextID int
	nextEn uint64
}{byPath: map[string]*PatRef{}}

// loadRef reads the file into its reference (made on first use) and
// returns it with the entries read.
func loadRef(path string, isMap bool) (*PatRef, []PatEntry, error) {
	var entries []mapEntry
	if isMap {
		var err error
		if entries, err = loadMap(path); err != nil {
			return nil, nil, err
		}
	} else {
		pats, err := loadPatterns(path, false)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range pats {
			entries = append(entries, mapEntry{key: p})
		}
	}
	patRefs.Lock()
	r, ok := patRefs.byPath[path]
	if !ok {
		r = &PatRef{ID: patRefs.nextID, Path: path, Map: isMap}
		patRefs.nextID++
		patRefs.byPath[path] = r
	}
	es := make([]PatEntry, len(entries))
	for i, e := range entries {
		patRefs.nextEn++
		es[i] = PatEntry{ID: patRefs.nextEn, Key: e.key, Value: e.value}
	}
	patRefs.Unlock()
	r.mu.Lock()
	r.entries = es
	r.mu.Unlock()
	return r, es, nil
}

// use registers a user's rebuild, called with the entries after each change.
func (r *PatRef) use(rebuild func([]PatEntry) error) {
	r.mu.Lock()
	r.users = append(r.users, rebuild)
	r.mu.Unlock()
}

// probe registers a map user's "get map" line; a later user of the same
// kind (or the same user compiled again) takes the place of the earlier.
func (r *PatRef) probe(kind string, order int, f func(string) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.probes {
		if r.probes[i].kind == kind {
			r.probes[i].line = f
			r.probes[i].order = min(r.probes[i].order, order) // the first user declared names the kind
			sort.SliceStable(r.probes, func(i, j int) bool { return r.probes[i].order < r.probes[j].order })
			return
		}
	}
	r.probes = append(r.probes, probe{kind, order, f})
	sort.SliceStable(r.probes, func(i, j int) bool { return r.probes[i].order < r.probes[j].order })
}

// Get is the runtime API's "get map": one line per user of the map.
func (r *PatRef) Get(sample string) []string {
	r.mu.Lock()
	probes := append([]probe(nil), r.probes...)
	r.mu.Unlock()
	out := make([]string, len(probes))
	for i, p := range probes {
		out[i] = p.line(sample)
	}
	return out
}

// PatRefs lists the references, by id; maps or ACL files.
func PatRefs(maps bool) []*PatRef {
	patRefs.Lock()
	defer patRefs.Unlock()
	var out []*PatRef
	for _, r := range patRefs.byPath {
		if r.Map == maps {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Entries is a copy of the reference's entries, in order.
func (r *PatRef) Entries() []PatEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PatEntry(nil), r.entries...)
}

// change applies f to the entries and rebuilds every user; when a user
// refuses the new entries (a value of the wrong type), nothing changes.
func (r *PatRef) change(f func([]PatEntry) ([]PatEntry, error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	next, err := f(append([]PatEntry(nil), r.entries...))
	if err != nil {
		return err
	}
	for _, u := range r.users {
		if err := u(next); err != nil {
			for _, u := range r.users { // back to the entries that built
				u(r.entries)
			}
			return err
		}
	}
	r.entries = next
	return nil
}

// Add appends an entry (HAProxy's "add map|acl").
func (r *PatRef) Add(key, value string) error {
	return r.change(func(es []PatEntry) ([]PatEntry, error) {
		patRefs.Lock()
		patRefs.nextEn++
		id := patRefs.nextEn
		patRefs.Unlock()
		return append(es, PatEntry{ID: id, Key: key, Value: value}), nil
	})
}

// Set gives every entry of the key (or the entry of the id when byID) the
// value; false when none has it.
func (r *PatRef) Set(key string, id uint64, byID bool, value string) (bool, error) {
	found := false
	err := r.change(func(es []PatEntry) ([]PatEntry, error) {
		for i := range es {
			if byID && es[i].ID == id || !byID && es[i].Key == key {
				es[i].Value, es[i].NoValue, found = value, false, true
			}
		}
		return es, nil
	})
	return found, err
}

// Del removes every entry of the key (or the entry of the id); false when
// none has it.
func (r *PatRef) Del(key string, id uint64, byID bool) (bool, error) {
	found := false
	err := r.change(func(es []PatEntry) ([]PatEntry, error) {
		out := es[:0]
		for _, e := range es {
			if byID && e.ID == id || !byID && e.Key == key {
				found = true
				continue
			}
			out = append(out, e)
		}
		return out, nil
	})
	return found, err
}

// Clear removes every entry.
func (r *PatRef) Clear() error {
	return r.change(func([]PatEntry) ([]PatEntry, error) { return nil, nil })
}

func (e PatEntry) String() string { return fmt.Sprintf("%#x %s %s", e.ID, e.Key, e.Value) }

// filePatterns builds an ACL's matcher over its inline patterns then the
// entries of its -f files (keys of -M files), in that order, and has it
// rebuilt, through store, when the runtime API changes one of the files;
// line is the ACL's, for the order of "get acl".
func filePatterns(m haproxy.Match, method haproxy.MatchMethod, line int, store func(*typedMatch)) error {
	refs := make([]*PatRef, len(m.Files))
	lists := make([][]PatEntry, len(m.Files))
	for i, pf := range m.Files {
		r, es, err := loadRef(pf.Path, pf.Map)
		if err != nil {
			return err
		}
		refs[i], lists[i] = r, es
	}
	build := func() error {
		pats := append([]string(nil), m.Patterns...)
		for _, es := range lists {
			for _, e := range es {
				pats = append(pats, e.Key)
			}
		}
		tm, err := buildTyped(method, pats, m.IgnoreCase)
		if err != nil {
			return err
		}
		store(&tm)
		return nil
	}
	if err := build(); err != nil {
		return err
	}
	var mu sync.Mutex // lists is shared by the rebuilds of every file
	for i, r := range refs {
		kind := method.String() + map[bool]string{true: "/i"}[m.IgnoreCase]
		r.probe(kind, line, func(sample string) string {
			mu.Lock()
			es := lists[i]
			mu.Unlock()
			return aclProbe(method, m.IgnoreCase, es, sample)
		})
		r.use(func(es []PatEntry) error {
			mu.Lock()
			defer mu.Unlock()
			old := lists[i]
			lists[i] = es
			if err := build(); err != nil {
				lists[i] = old
				return err
			}
			return nil
		})
	}
	return nil
}

// aclProbe is the runtime API's "get acl" line of one kind of ACL user
// (HAProxy 2.6's format): the pattern of the file that matches the sample,
// the longest for the prefix trees (beg, ip), else the first.
func aclProbe(method haproxy.MatchMethod, ci bool, es []PatEntry, sample string) string {
	head := fmt.Sprintf("type=%s, case=%s, ", method, map[bool]string{false: "sensitive", true: "insensitive"}[ci])
	idx := "list"
	if method == haproxy.MatchIP || !ci && (method == haproxy.MatchStr || method == haproxy.MatchBeg) {
		idx = "tree"
	}
	v := value{t: haproxy.SampleStr, s: sample}
	if in := matchInput(method); in != haproxy.SampleAny && !v.cast(in) {
		return head + "match=no"
	}
	best, bestLen := "", -1
	for _, e := range es {
		tm, err := buildTyped(method, []string{e.Key}, ci)
		if err != nil || !tm.test(&value{t: v.t, i: v.i, s: v.s, a: v.a}) {
			continue
		}
		n := 0
		switch method {
		case haproxy.MatchBeg:
			n = len(e.Key)
		case haproxy.MatchIP:
			if p, err := ParsePrefix(e.Key); err == nil {
				n = p.Bits()
			}
		}
		if bestLen < 0 || n > bestLen {
			best, bestLen = e.Key, n
		}
		if method != haproxy.MatchBeg && method != haproxy.MatchIP {
			break
		}
	}
	if bestLen < 0 {
		return head + "match=no"
	}
	return fmt.Sprintf("%smatch=yes, idx=%s, pattern=\"%s\"", head, idx, best)
}
