package main

import (
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
)

// serverStates keeps, per server, the two things HAProxy keeps apart: the
// administrative state (maintenance from `disabled` or the runtime API,
// drain) and the operational state from health checks. The balancer sees
// Up = !maint && checkUp and Weight = 0 while draining.
type serverStates struct {
	mu sync.Mutex
	px *proxy.Proxy
	m  map[[2]string]*serverState
}

type serverState struct {
	maint, drain bool
	checkUp      bool
	// checkDrain: an UP server whose check answered 404 under `http-check
	// disable-on-404` takes no new traffic (HAProxy's NOLB, "stopping").
	checkDrain bool
	weight     int       // user weight (`weight`, `set server ... weight`)
	initWeight int       // weight from the configuration
	changed    time.Time // last UP/DOWN or admin change (lastchg)
	downs      int64     // UP -> DOWN transitions seen by checks (chkdown)
}

func newServerStates(px *proxy.Proxy, cfg *proxy.Config) *serverStates {
	st := &serverStates{px: px, m: map[[2]string]*serverState{}}
	for _, b := range cfg.Backends {
		for _, s := range b.Servers {
			st.m[[2]string{b.Name, s.Name}] = &serverState{maint: s.Disabled, checkUp: true, weight: s.Weight,
				initWeight: s.Weight, changed: time.Now()}
		}
	}
	return st
}

// update changes one server's state with fn and pushes the result to the
// data path.
func (st *serverStates) update(backend, server string, fn func(s *serverState)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.m[[2]string{backend, server}]
	if s == nil {
		return st.px.UpdateServer(backend, server, func(*balance.Server) {}) // its error names what is missing
	}
	before := *s
	fn(s)
	if before.maint != s.maint || before.drain != s.drain || before.checkUp != s.checkUp || before.checkDrain != s.checkDrain {
		s.changed = time.Now()
	}
	// chkdown counts UP -> DOWN transitions whatever the cause, entering
	// maintenance included (as HAProxy counts them).
	if before.checkUp && !before.maint && (!s.checkUp || s.maint) {
		s.downs++
	}
	return st.px.UpdateServer(backend, server, func(b *balance.Server) {
		b.Up = !s.maint && s.checkUp
		b.Weight = s.weight
		if s.drain || s.checkDrain {
			b.Weight = 0
		}
	})
}

func (st *serverStates) get(backend, server string) (serverState, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.m[[2]string{backend, server}]
	if s == nil {
		return serverState{}, false
	}
	return *s, true
}
