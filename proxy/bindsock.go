package proxy

import (
	"sync/atomic"

	"github.com/goha-lb/goha/proxy/listen"
)

// BindSocket is what a bind line asks of one listener beyond its address.
type BindSocket struct {
	// Sock are its socket options (v4v6, v6only, defer-accept, tcp-ut,
	// interface, namespace; proxy/listen).
	Sock listen.SockOpts
	// MaxConn is the bind's own maxconn (0: none): beyond it the listener
	// accepts no more and connections wait in its backlog, as in HAProxy.
	MaxConn int
	// AcceptCIP: connections start with a NetScaler Client IP header
	// (`accept-netscaler-cip <CIPMagic>`; proxyhdr.go).
	AcceptCIP bool
	CIPMagic  uint32
	// Name is the bind line's `name` ("" without one: so_name then has
	// no value, where logs number the listener).
	Name string
}

// Listener is what the fetches see of the listener a connection came on:
// its `name` (so_name) and how many of its connections are open now,
// that one included (dst_conn, HAProxy's listener nbconn).
type Listener struct {
	Name  string
	conns atomic.Int64
}

// Conns is the number of the listener's connections open now.
func (l *Listener) Conns() int64 { return l.conns.Load() }

// bindSlots is a bind line's maxconn (nil: none, 0 included, as HAProxy
// reads 0 as its frontend's).
func bindSlots(maxconn int) *limiter {
	if maxconn <= 0 {
		return nil
	}
	return newLimiter(maxconn)
}
