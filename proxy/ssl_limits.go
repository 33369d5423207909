package proxy

import (
	"errors"
	"io"
	"net"
	"time"
)

// Global maxsslconn and maxsslrate, as HAProxy 2.6.12 applies them
// (measured on 127.0.0.1 beside the real daemon, TestSSLLimitsMatchHAProxy):
//
//   - maxsslconn caps the TLS connections of the process, client and
//     server side together (CurrSslConns). HAProxy checks it when it sets
//     up a connection's TLS layer (ssl_sock_init), which for a client is
//     right after accept, before any rule or PROXY header: so does reserve.
//   - A client accepted on an ssl bind at the limit fails that set-up, and
//     2.6.12's error path then frees the connection without closing its
//     socket, which it had not yet registered with its poller: the client
//     is accepted by the kernel and by HAProxy, never read from, never
//     answered and never closed (its ClientHello stays unread; after the
//     client leaves, the socket sits in CLOSE_WAIT until the process ends).
//     It is not counted in CurrConns, CurrSslConns or CumSslConns, and the
//     listener keeps accepting: a client arriving once a slot is free is
//     served at once, while the abandoned one stays unanswered whatever
//     closes later. goha abandons it the same way (abandon), except that
//     it closes the socket once the client has closed its side, instead
//     of keeping it until the process ends.
//   - A server connection at the limit is not attempted (no retry): the
//     client gets HAProxy's 500 in HTTP mode, a close in TCP mode, logged
//     IC (server.go's internal failures).
//   - Plain binds are not limited by either.
//   - maxsslrate caps the connections accepted on ssl binds per second
//     (SslRate, counted once reserved: abandoned ones are not): beyond it an
//     ssl bind stops accepting until next_event_delay's milliseconds have
//     passed, as maxconnrate does for every bind (process_rate.go).
//
// Not reproduced (read in listener.c, not measured): when the failing
// set-up ran on the thread that accepted, rather than one it handed the
// connection to, HAProxy also pauses that listener for 100 ms
// (listener_accept's transient_error); which thread runs it is not the
// configuration's choice, so clients arriving then may wait up to 100 ms
// longer there.

// errSSLTooMany is a server connection refused under maxsslconn.
var errSSLTooMany = errors.New("too many SSL connections")

// reserve counts one more TLS connection unless maxsslconn is reached,
// as HAProxy's ssl_sock_init; attach or unreserve ends it.
func (c *tlsCounters) reserve() bool {
	for {
		n := c.cur.Load()
		if c.max > 0 && n >= c.max {
			return false
		}
		if c.cur.CompareAndSwap(n, n+1) {
			c.total.Add(1)
			return true
		}
	}
}

// endTLSReserve ends acceptTLS's count of a connection on bind closed
// before it became a session's.
func (p *Proxy) endTLSReserve(bind bindInfo) {
	if bind.tls != nil {
		p.tlsc.cur.Add(-1)
	}
}

// acceptTLS reserves the TLS count of a connection accepted on an ssl
// bind and counts it in SslRate (maxsslrate); false: maxsslconn is
// reached and c has been abandoned.
func (p *Proxy) acceptTLS(c *net.TCPConn) bool {
	if !p.tlsc.reserve() {
		p.abandon(c)
		return false
	}
	p.tlsc.accepts.add(time.Now())
	p.rates.acceptedTLS()
	return true
}

// abandon leaves c unanswered as HAProxy 2.6.12 leaves a client it could
// not give a TLS layer: nothing is sent, and what the client sends is
// dropped unread (HAProxy leaves it in the socket), until the client
// closes or the proxy shuts down.
func (p *Proxy) abandon(c *net.TCPConn) {
	p.mu.Lock()
	if p.abandoned == nil {
		p.abandoned = map[*net.TCPConn]struct{}{}
	}
	p.abandoned[c] = struct{}{}
	p.mu.Unlock()
	go func() {
		io.Copy(io.Discard, c) // until the client's FIN or reset
		c.Close()
		p.mu.Lock()
		delete(p.abandoned, c)
		p.mu.Unlock()
	}()
}

// closeAbandoned closes the abandoned connections at shutdown.
func (p *Proxy) closeAbandoned() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.abandoned {
		c.Close()
	}
}
