package proxy

import (
	"net"
	"net/netip"
)

// srvSide is the part of a tconn that only a connection to a server
// carries. A client connection's tconn has none (nil), so that a parked
// client keeps a smaller one (288 bytes instead of 480, measured with
// 10,000 idle clients), in a size class of its own rather than among
// the server connections that come and go beside it.
type srvSide struct {
	// randoms are the TLS hellos' randoms, client's then server's, of a
	// connection to a server (ssl_bc_*_random).
	randoms [2][]byte
	// sessionKey is its master secret, kept for ssl_bc_session_key,
	// finished the Finished ssl_bc_unique_id gives (Server.TLSKeys).
	sessionKey, finished []byte
	// sni is the server name a TLS connection to a server was made
	// with: it is reused only for requests sending the same.
	sni string
	// addrGen is the server address generation it was dialled under
	// (runtime_limits.go): a connection to an address `set server ...
	// addr` left is not pooled again.
	addrGen uint64
	// served counts the requests it carried to their end (reuse.go).
	served int
	// hello is the PROXY header it began with: it carries only requests
	// of the same client (HAProxy hashes the header into the reuse key).
	hello string
	// target is the address a server following the client's
	// destination was dialled to (transparent.go), "" for another: it
	// carries only requests to the same.
	target string
	// release, when set, gives the connection's source port back to its
	// server's port range once it is closed (connsource.go).
	release func()
	// peer is the server a connection through a SOCKS4 proxy reaches
	// (socks4.go): bc_dst reads it, as HAProxy's, not the proxy's address.
	peer netip.AddrPort
}

// srvTconn is a connection to a server and its server side, one
// allocation.
type srvTconn struct {
	t    tconn
	side srvSide
}

// newSrvTconn is a tconn for a connection to a server over c (nil: an
// HTTP/2 upstream stream, whose h2 the caller sets).
func newSrvTconn(c *net.TCPConn) *tconn {
	st := new(srvTconn)
	t := &st.t
	t.srvSide = &st.side
	if c != nil {
		t.TCPConn = c
		t.io.init(c)
	}
	return t
}

// releasePort gives a server connection's source port back (connsource.go).
func (c *tconn) releasePort() {
	if c.srvSide != nil && c.release != nil {
		c.release()
	}
}
