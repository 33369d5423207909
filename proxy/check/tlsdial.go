package check

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
)

// HandshakeError is a TLS handshake that failed on an established check
// connection (check-ssl): HAProxy reports it at layer 6.
type HandshakeError struct{ Err error }

func (e *HandshakeError) Error() string { return "SSL handshake failure: " + e.Err.Error() }
func (e *HandshakeError) Unwrap() error { return e.Err }

// TLSDial wraps a dialer (nil: net.Dialer) so that the connection speaks
// TLS with cfg once connected, the handshake bounded by ctx.
func TLSDial(base func(context.Context, string, string) (net.Conn, error), cfg *tls.Config) func(context.Context, string, string) (net.Conn, error) {
	if base == nil {
		d := net.Dialer{KeepAlive: -1} // as dial's default
		base = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(c, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, &HandshakeError{Err: err}
		}
		return tc, nil
	}
}

// handshakeResult is the result of a failed TLS handshake, as HAProxy's
// checks word it.
func handshakeResult(err error) (Result, bool) {
	var he *HandshakeError
	if !errors.As(err, &he) {
		return Result{}, false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return Result{Status: L6TOUT}, true
	}
	return Result{Status: L6RSP, Info: "SSL handshake failure"}, true
}
