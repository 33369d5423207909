package proxy

import "errors"

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
	if errors.As(err, &te) && !isTimeout(err) {
		r.srvErr = connErrSSLHandshake
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
