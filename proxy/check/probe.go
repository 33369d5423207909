package check

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"time"
)

// Timeouts bound one check. Connect limits establishing the connection,
// Total the whole check; both count from the start of the check.
type Timeouts struct {
	Connect, Total time.Duration
}

// CheckTimeouts derives a check's timeouts from `inter` (set: the caller
// fills HAProxy's default) and `timeout connect` and `timeout check` (zero
// = not configured). The fallbacks are HAProxy 2.6's semantics, not
// defaults: without `timeout check` the whole check is bounded by inter;
// with it, the connection by min(timeout connect, inter) and the check by
// max(that, timeout check).
func CheckTimeouts(inter, connect, check time.Duration) Timeouts {
	if check <= 0 {
		return Timeouts{Connect: inter, Total: inter}
	}
	c := inter
	if connect > 0 && connect < c {
		c = connect
	}
	return Timeouts{Connect: c, Total: max(c, check)}
}

// Prober runs one check against addr ("host:port").
type Prober interface {
	Probe(ctx context.Context, addr string, t Timeouts) Result
}

// TCPProbe passes when a TCP connection is established (HAProxy's default
// check without `option httpchk`).
type TCPProbe struct {
	// Dial, when set, replaces net.Dialer (tests, source binding).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (p TCPProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	start := time.Now()
	c, res, ok := dial(ctx, p.Dial, addr, t, start)
	if !ok {
		return res
	}
	c.Close()
	if _, ok := c.(*tls.Conn); ok {
		// check-ssl: HAProxy's connect-only check passes at layer 6.
		return Result{Status: L6OK, Duration: time.Since(start)}
	}
	return Result{Status: L4OK, Duration: time.Since(start)}
}

// socksFailure is a failed SOCKS4 handshake (proxy.Socks4Dial): its
// connection error text, or "" after a timeout.
type socksFailure interface {
	SocksFailure() (info string, timeout bool)
}

// dial connects within t.Connect; on failure it returns the Layer4 result.
func dial(ctx context.Context, d func(context.Context, string, string) (net.Conn, error), addr string, t Timeouts, start time.Time) (net.Conn, Result, bool) {
	cctx, cancel := context.WithTimeout(ctx, t.Connect)
	defer cancel()
	if d == nil {
		nd := net.Dialer{KeepAlive: -1} // HAProxy's checks: no SO_KEEPALIVE unless srvtcpka
		d = nd.DialContext
	}
	c, err := d(cctx, "tcp", addr)
	if err == nil {
		return c, Result{}, true
	}
	if r, ok := handshakeResult(err); ok {
		r.Duration = time.Since(start)
		return nil, r, false
	}
	var sf socksFailure
	if errors.As(err, &sf) { // check-via-socks4: connected, the handshake failed
		info, timeout := sf.SocksFailure()
		r := Result{Status: SOCKERR, Info: info, Duration: time.Since(start)}
		if timeout {
			r.Status, r.Info = L7TOUT, ""
		}
		return nil, r, false
	}
	r := Result{Status: L4CON, Info: errInfo(err), Duration: time.Since(start)}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		r.Status, r.Info = L4TOUT, ""
	}
	return nil, r, false
}
