package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"time"
)

// A server with `socks4 <addr>:<port>` is reached through a SOCKS4
// proxy, as HAProxy 2.6 does it (measured against a recording SOCKS4
// server): the connection goes to the proxy, which gets a 16-byte
// CONNECT request (version 4, command 1, the server's port and IPv4
// address, the user id "HAProxy" and its NUL) and must answer 8 bytes
// whose second is 90 (granted) before anything else is sent: the PROXY
// header and TLS come after. `timeout connect` covers the connect and
// the answer. A refusal or a close before the 8 bytes is a failed
// connect (SC, retried as a refused one; bc_err 41 "SOCKS4 Proxy deny
// the request" or 40 "... read error during handshake"), no answer in
// time a connect timeout (sC). bc_dst names the server, not the proxy.
// Health checks go to the server directly unless the server has
// check-via-socks4 (internal/haproxycmd's check dialer uses Socks4Dial):
// then a refusal or a close is their "Socket error" with the same text,
// silence a layer-7 timeout (SocksFailure).

// socks4 codes of HAProxy's CO_ER_SOCKS4_* (fc_err/bc_err values).
const (
	connErrSocks4Send ConnErrCode = 39
	connErrSocks4Recv ConnErrCode = 40
	connErrSocks4Deny ConnErrCode = 41
)

// socks4UserID is what HAProxy sends as the request's user id.
const socks4UserID = "HAProxy"

// socks4Error is a failed SOCKS4 handshake: a refused connect, with its
// bc_err code.
type socks4Error struct {
	code ConnErrCode
	err  error
}

func (e socks4Error) Error() string { return "socks4: " + e.code.String() }
func (e socks4Error) Unwrap() error { return e.err }

// SocksFailure is what a health check reports of it (proxy/check): the
// error's text, or a timeout, which HAProxy's checks count at layer 7
// since the connect itself succeeded.
func (e socks4Error) SocksFailure() (info string, timeout bool) {
	return e.code.String(), e.code == 0
}

// socks4Request is the CONNECT request for target.
func socks4Request(target netip.AddrPort) []byte {
	b := make([]byte, 0, 9+len(socks4UserID))
	ip := target.Addr().Unmap().As4()
	b = append(b, 4, 1, byte(target.Port()>>8), byte(target.Port()))
	b = append(b, ip[:]...)
	b = append(b, socks4UserID...)
	return append(b, 0)
}

// dialVia dials addr with dial, through the server's SOCKS4 proxy if it
// has one, the handshake within the rest of the connect timeout.
func (s *server) dialVia(dial DialFunc, start time.Time, timeout time.Duration, addr string) (net.Conn, error) {
	if !s.cfg.Socks4.IsValid() {
		return dial(context.Background(), "tcp", addr)
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, start.Add(timeout))
		defer cancel()
	}
	return Socks4Dial(s.cfg.Socks4, dial)(ctx, "tcp", addr)
}

// socks4Peer is the server a connection to addr reaches through its
// SOCKS4 proxy (zero without one: the socket's peer is the server).
func (s *server) socks4Peer(addr string) netip.AddrPort {
	if !s.cfg.Socks4.IsValid() {
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(addr)
	return ap
}

// Socks4Dial makes dial reach addr through the SOCKS4 proxy via, within
// the context's deadline.
func Socks4Dial(via netip.AddrPort, dial DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		target, err := netip.ParseAddrPort(addr)
		if err != nil || !target.Addr().Unmap().Is4() {
			// SOCKS4 carries IPv4 only; the configuration refuses
			// other servers, this is a transparent one's IPv6 client
			return nil, socks4Error{code: connErrSocks4Send, err: errors.New("socks4: not an IPv4 server address: " + addr)}
		}
		c, err := dial(ctx, network, via.String())
		if err != nil {
			return nil, err
		}
		dl, _ := ctx.Deadline()
		c.SetDeadline(dl)
		if _, err := c.Write(socks4Request(target)); err != nil {
			c.Close()
			return nil, socks4Failure(connErrSocks4Send, err)
		}
		var rep [8]byte
		if _, err := io.ReadFull(c, rep[:]); err != nil {
			c.Close()
			return nil, socks4Failure(connErrSocks4Recv, err)
		}
		if rep[1] != 90 {
			c.Close()
			return nil, socks4Error{code: connErrSocks4Deny}
		}
		c.SetDeadline(time.Time{})
		return c, nil
	}
}

// socks4Failure is err as a failed handshake; a timeout has no code and
// stays a timeout (sC, no bc_err).
func socks4Failure(code ConnErrCode, err error) error {
	if isTimeout(err) {
		code = 0
	}
	return socks4Error{code: code, err: err}
}
