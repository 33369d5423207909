package proxy

import "github.com/goha-lb/goha/proxy/listen"

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
}

// bindSlots is a bind line's maxconn (nil: none, 0 included, as HAProxy
// reads 0 as its frontend's).
func bindSlots(maxconn int) *limiter {
	if maxconn <= 0 {
		return nil
	}
	return newLimiter(maxconn)
}
