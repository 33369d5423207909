package proxy

import (
	"errors"
	"net/netip"
)

// srvTLSError is a server connection's failed TLS handshake (dial).
type srvTLSError struct{ err error }

func (e srvTLSError) Error() string { return e.err.Error() }
func (e srvTLSError) Unwrap() error { return e.err }

// connErrSSLHandshake is HAProxy's CO_ER_SSL_HANDSHAKE, "SSL handshake
// failure".
const connErrSSLHandshake ConnErrCode = 34

// noteServerConnErr records why the last connect attempt of a request
// failed, for bc_err: a TLS handshake that failed other than by timing
// out is HAProxy 2.6's CO_ER_SSL_HANDSHAKE (measured: a server that
// closes, resets or answers in clear text; a timeout leaves no code and no
// connection to read one from).
func (r *RequestInfo) noteServerConnErr(err error) {
	if r == nil {
		return
	}
	var te srvTLSError
	r.srvErr = 0
	var se socks4Error
	switch {
	case errors.As(err, &te) && !isTimeout(err):
		r.srvErr = connErrSSLHandshake
	case errors.As(err, &se):
		r.srvErr = se.code
	}
}

// ServerConnErr is bc_err's value: 0 once the server connection is up,
// the handshake failure code of the last attempt, or none (false).
func (r *RequestInfo) ServerConnErr() (ConnErrCode, bool) {
	if r.srvConn != nil {
		return 0, true
	}
	return r.srvErr, r.srvErr != 0
}

// noteServerTried records where a failed connect attempt went. HAProxy
// keeps the failed connection with the stream, so bc_dst, bc_dst_port
// and bc_http_major (1: no mux) have values after it (measured on
// 2.6.12, a refused and a timed-out connect: the server's address and
// port, 1).
func (r *RequestInfo) noteServerTried(ap netip.AddrPort) {
	if r != nil {
		r.srvTried = ap
	}
}

// failedServerConn is ServerConn after a failed connect: the address
// tried, major 1, and the local address HAProxy also shows (bc_src,
// bc_src_port), the failed socket's, when the dial kept it
// (failed_src.go; invalid otherwise).
func (r *RequestInfo) failedServerConn() (local, remote netip.AddrPort, major int, ok bool) {
	if !r.srvTried.IsValid() {
		return local, remote, 0, false
	}
	return r.srvTriedFrom, r.srvTried, 1, true
}

// triedAddr is the address dial connects to for client (the server's,
// or the client's destination for a server that follows it), invalid for
// a name.
func (s *server) triedAddr(client clientAddrs) netip.AddrPort {
	addr := s.transparentKey(client.dst)
	if addr == "" {
		addr = s.address()
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
