package proxy

import "github.com/goha-lb/goha/proxy/stick"

// Stick-table persistence (`stick on|match|store-request`), at HAProxy
// 2.6's points: the match rules run once the backend is chosen, after the
// cookie (a server the cookie designates is kept), before the balancer;
// what the store rules name is written when the server's response head is
// in (before the http-response rules), with the server the request went
// to. A request that got no response stores nothing.

// StickOn is one `stick on|match|store-request` rule of a backend.
type StickOn struct {
	Match bool // on, match: the entry's server_id pins the request
	Store bool // on, store-request: the server is stored in the entry
	Table *stick.Table
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
	now := StickNow()
	for i := range be.cfg.StickRules {
		r := &be.cfg.StickRules[i]
		if r.Store && s.storing(r.Table) {
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
		if r.Store {
			s.stores = append(s.stores, stickStore{table: r.Table, key: append([]byte(nil), key...)})
		}
	}
}

// storing says whether a store rule of table t already applies.
func (s *session) storing(t *stick.Table) bool {
	for _, st := range s.stores {
		if st.table == t {
			return true
		}
	}
	return false
}

// stickTarget pins the request to the server the entry names (server_id
// is the server's id: its position, 1-based, as HAProxy's default ids, or
// the id `add server` gave it).
func (s *session) stickTarget(be *backend, ref stick.Ref, now uint32) {
	v, ok := ref.Value(stick.ServerID, 0, now)
	if !ok {
		return
	}
	var srv *server
	for _, sv := range be.list() {
		if uint64(sv.id) == v {
			srv = sv
		}
	}
	if srv == nil {
		return
	}
	be.mu.Lock()
	up := srv.bal.Up
	be.mu.Unlock()
	if up || be.cfg.Persist || s.ck.pin.force {
		s.ck.pin.srv = srv
	}
}

// stickStore writes the server the request went to in the entries its
// store rules named (created if needed), as HAProxy does once the
// response head is in.
func (x *exchange) stickStore() {
	s := x.s
	if len(s.stores) == 0 {
		return
	}
	if id := serverID(x.be, x.srv); id > 0 {
		now := StickNow()
		for _, st := range s.stores {
			if ref, ok := st.table.Acquire(st.key, true, now); ok {
				ref.Set(stick.ServerID, 0, uint64(id), now)
				ref.Release(false, now)
			}
		}
	}
	s.stores = s.stores[:0]
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
