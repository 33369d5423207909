package acl

import (
	"strings"

	"github.com/goha-lb/goha/proxy"
)

// The add-acl, del-acl, set-map and del-map actions (HAProxy 2.6
// http_action_set_map): they change a pattern reference, the one the
// runtime API's map and acl commands change, with a key (and set-map's
// value) built per request from a log-format text. The reference is
// looked up by file name when the rule runs: a file no ACL or map
// converter loaded has none, and the rule then does nothing, as HAProxy's
// pat_ref_lookup finds nothing.

// findRef is the reference of the file name, or nil.
func findRef(path string) *PatRef {
	patRefs.Lock()
	defer patRefs.Unlock()
	return patRefs.byPath[path]
}

// CompileMapAction compiles one of the four actions (verb as written,
// file the name between its parentheses); value is set-map's second
// argument and ignored by the others.
func CompileMapAction(verb, file, key, value string) (func(*proxy.RequestInfo), error) {
	keyOf, err := CompileFormat(key)
	if err != nil {
		return nil, err
	}
	valueOf := func(*proxy.RequestInfo) string { return "" }
	if verb == "set-map" {
		if valueOf, err = CompileFormat(value); err != nil {
			return nil, err
		}
	}
	return func(r *proxy.RequestInfo) {
		ref := findRef(file)
		if ref == nil {
			return
		}
		k := keyOf(r)
		switch verb {
		case "add-acl": // only a key not there yet
			ref.addAbsent(k)
		case "set-map": // every entry of the key, else a new one
			ref.setOrAdd(k, valueOf(r))
		default: // del-acl, del-map: every entry of the key
			ref.Del(k, 0, false)
		}
	}, nil
}

// addAbsent appends an entry without a value for key unless one exists.
func (r *PatRef) addAbsent(key string) {
	r.change(func(es []PatEntry) ([]PatEntry, error) {
		for _, e := range es {
			if e.Key == key {
				return es, nil
			}
		}
		return append(es, PatEntry{ID: nextEntryID(), Key: key, NoValue: true}), nil
	})
}

// setOrAdd gives every entry of key the value, or appends one.
func (r *PatRef) setOrAdd(key, value string) {
	r.change(func(es []PatEntry) ([]PatEntry, error) {
		found := false
		for i := range es {
			if es[i].Key == key {
				es[i].Value, es[i].NoValue, found = value, false, true
			}
		}
		if !found {
			es = append(es, PatEntry{ID: nextEntryID(), Key: key, Value: value})
		}
		return es, nil
	})
}

// nextEntryID is a new entry's id.
func nextEntryID() uint64 {
	patRefs.Lock()
	defer patRefs.Unlock()
	patRefs.nextEn++
	return patRefs.nextEn
}

// ForgetPatRefs drops the references of the files under dir: the
// references are the process's, and tests that run several
// configurations in one process use it to keep each one's show map|acl
// list its own.
func ForgetPatRefs(dir string) {
	patRefs.Lock()
	defer patRefs.Unlock()
	for path := range patRefs.byPath {
		if strings.HasPrefix(path, dir+"/") {
			delete(patRefs.byPath, path)
		}
	}
}
