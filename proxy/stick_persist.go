package proxy

import "github.com/goha-lb/goha/proxy/stick"

// Stick-table persistence (`stick on|match|store-request|store-response`),
// at HAProxy 2.6's points: the match rules run once the backend is chosen,
// after the cookie (a server the cookie designates is kept), before the
// balancer; when the server's response head is in (before the
// http-response rules; in TCP mode once the server connection is up) the
// store-response rules pick their keys, then what all store rules named is
// written with the server the request went to. A request that got no
// response stores nothing.

// maxStores is how many entries one request may store (HAProxy's
// s->store[8]): store-request entries first, then store-response ones.
const maxStores = 8

// StickOn is one `stick on|match|store-request|store-response` rule of a
// backend.
type StickOn struct {
	Match bool // on, match: the entry's server_id pins the request
	Store bool // on, store-request, store-response: the server is stored in the entry
	// Response marks store-response: its condition and key are read once
	// the response head is in (res.* fetches).
	Response bool
	Table    *stick.Table
	// Key is the rule's key in the table's form (false: no key, the rule
	// does nothing).
	Key  func(*RequestInfo) ([]byte, bool)
	Cond Condition // nil = always
}

// stickStore is an entry a request will store its server in.
type stickStore struct {
	table *stick.Table
	key   []byte
}

// stickMatch runs the backend's stick rules on the request: the first
// matching entry whose server_id names a server sends the request there
// (unless the cookie chose one) when that server is not down, or `option
// persist`/force-persist hold; only the first store rule of each table
// applies. It runs for every request a backend takes, forgetting what an
// earlier request meant to store.
func (s *session) stickMatch(be *backend) {
	s.stores = s.stores[:0]
	if len(be.cfg.StickRules) == 0 {
		return
	}
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
		s.tablesOf(be)
	}
	now := StickNow()
	for i := range be.cfg.StickRules {
		r := &be.cfg.StickRules[i]
		if r.Response || r.Store && s.storing(r.Table, 0) {
			continue
		}
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		key, ok := r.Key(&s.info)
		if !ok {
			continue
		}
		if r.Match {
			if ref, ok := r.Table.Acquire(key, false, now); ok {
				if s.ck.pin.srv == nil {
					s.stickTarget(be, ref, now)
				}
				ref.Release(false, now) // touched, as HAProxy's lookup does
			}
		}
		if r.Store && len(s.stores) < maxStores {
			s.stores = append(s.stores, stickStore{table: r.Table, key: append([]byte(nil), key...)})
		}
	}
}

// storing says whether a store rule of table t already applies, looking at
// the entries from the from-th on (store-response rules skip only the
// tables another store-response rule took: a table may get one entry of
// each kind).
func (s *session) storing(t *stick.Table, from int) bool {
	for _, st := range s.stores[from:] {
		if st.table == t {
			return true
		}
	}
	return false
}

// stickTarget pins the request to the server the entry names: by its
// server_key (the server's name) when the entry has one and a server of
// the backend bears it, else by its server_id (the server's id: its
// position, 1-based, as HAProxy's default ids, or the one `add server`
// gave it), as HAProxy 2.6 looks them up.
func (s *session) stickTarget(be *backend, ref stick.Ref, now uint32) {
	srv := serverByKey(be, ref)
	if srv == nil {
		v, ok := ref.Value(stick.ServerID, 0, now)
		if !ok {
			return
		}
		for _, sv := range be.list() {
			if uint64(sv.id) == v {
				srv = sv
			}
		}
		if srv == nil {
			return
		}
	}
	be.mu.Lock()
	up := srv.bal.Up
	be.mu.Unlock()
	if up || be.cfg.Persist || s.ck.pin.force {
		s.ck.pin.srv = srv
	}
}

// stickStore runs the backend's store-response rules on the response
// head (s.info.resp), then writes the server the request went to in the
// entries all store rules named (created if needed), as HAProxy's
// process_store_rules does.
func (x *exchange) stickStore() { x.s.stickStore(x.be, x.srv) }

func (s *session) stickStore(be *backend, srv *server) {
	if !be.cfg.StoreResponse && len(s.stores) == 0 {
		return
	}
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
		s.tablesOf(be)
	}
	nreq := len(s.stores)
	for i := range be.cfg.StickRules {
		r := &be.cfg.StickRules[i]
		if !r.Response || s.storing(r.Table, nreq) {
			continue
		}
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		if key, ok := r.Key(&s.info); ok && len(s.stores) < maxStores {
			s.stores = append(s.stores, stickStore{table: r.Table, key: append([]byte(nil), key...)})
		}
	}
	if id := serverID(be, srv); id > 0 {
		now := StickNow()
		for _, st := range s.stores {
			if ref, ok := st.table.Acquire(st.key, true, now); ok {
				ref.Set(stick.ServerID, 0, uint64(id), now)
				ref.SetString(stick.ServerKey, srv.cfg.Name, now)
				ref.Release(false, now)
			}
		}
	}
	s.stores = s.stores[:0]
}

// serverByKey is the server of be named by the entry's server_key, or nil.
func serverByKey(be *backend, ref stick.Ref) *server {
	name, ok := ref.String(stick.ServerKey)
	if !ok {
		return nil
	}
	for _, sv := range be.list() {
		if sv.cfg.Name == name {
			return sv
		}
	}
	return nil
}

// serverID is srv's HAProxy id in be; 0: none.
func serverID(be *backend, srv *server) int {
	for _, sv := range be.list() {
		if sv == srv {
			return sv.id
		}
	}
	return 0
}
