package check

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// HandshakeError is a TLS handshake that failed on an established check
// connection (check-ssl): HAProxy reports it at layer 6.
type HandshakeError struct{ Err error }

func (e *HandshakeError) Error() string { return "SSL handshake failure: " + e.Err.Error() }
func (e *HandshakeError) Unwrap() error { return e.Err }

// TLSDial wraps a dialer (nil: net.Dialer) so that the connection speaks
// TLS with cfg once connected, the handshake bounded by ctx. The hellos'
// randoms are read off the handshake's bytes as they pass (helloTap), for
// the ssl_bc_client_random and ssl_bc_server_random fetches of the
// check's rules (connfetch.go), with what keys says the rules read of
// the handshake besides (nil: nothing; tlskeys.go).
func TLSDial(base func(context.Context, string, string) (net.Conn, error), cfg *tls.Config, keys *TLSKeys) func(context.Context, string, string) (net.Conn, error) {
	if base == nil {
		d := net.Dialer{KeepAlive: -1} // as dial's default
		base = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tap := &helloTap{Conn: c}
		tap.client.Server, tap.server.Server = false, true
		ccfg := cfg
		if keys != nil {
			tap.keys = &tlsFacts{note: &sessionNote{}}
			tap.server.KeepSessionID = keys.SessionID
			tap.in.On, tap.out.On = keys.UniqueID, keys.UniqueID
			ccfg = keys.connConfig(cfg, tap.keys.note)
		}
		tc := tls.Client(tap, ccfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, &HandshakeError{Err: err}
		}
		tap.client.Stop()
		tap.server.Stop()
		if keys != nil {
			st := tc.ConnectionState()
			keys.read(tap.keys, &st, tap)
		}
		return tc, nil
	}
}

// helloTap is a check connection under TLS that reads the hellos'
// randoms off the bytes it carries; both looks stop with the handshake.
// With TLSKeys it also keeps the handshake's records (in from the
// server, out to it) and what keys gives the fetches.
type helloTap struct {
	net.Conn
	client, server tlsconf.HelloRandom
	in, out        tlsconf.RecordTap
	keys           *tlsFacts
}

func (t *helloTap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.server.Feed(p[:n])
	t.in.Feed(p[:n])
	return n, err
}

func (t *helloTap) Write(p []byte) (int, error) {
	t.client.Feed(p)
	t.out.Feed(p)
	return t.Conn.Write(p)
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
