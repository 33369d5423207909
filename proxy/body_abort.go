package proxy

import (
	"errors"
	"io"
	"net"
)

// bodyFailTerm is the termination state of a response body copy that
// failed (err): sD on a timeout (the server's: client writes rarely
// stall), SD when reading the server failed (a reset, or a close before
// the announced end: HAProxy 2.6 logs SD and counts srv_abrt, measured),
// an HTTP/2 server's reset or broken frames included; CD otherwise (the
// client's write failed).
func bodyFailTerm(sc *tconn, err error) [2]byte {
	var oe *net.OpError
	switch {
	case isTimeout(err):
		return term('s', 'D')
	case upstreamFailed(sc), err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &oe) && oe.Op == "read":
		return term('S', 'D')
	}
	return term('C', 'D')
}

// countDataAbort counts an HTTP transaction that ended in its data phase
// on the client's or the server's side (C/c or S/s, then D) in cli_abrt or
// srv_abrt, as HAProxy's body forwarding and tunnels do.
func countDataAbort(be *backend, srv *server, t [2]byte) {
	if t[1] == 'D' {
		countAbort(be, srv, t)
	}
}
