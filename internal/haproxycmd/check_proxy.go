package haproxycmd

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/proxyproto"
)

// checkProxyDial is the health-check dialer for a send-proxy server checked
// on its traffic address: like HAProxy 2.6, each check connection starts
// with a PROXY header. v1 names the check connection's own addresses; v2
// is a LOCAL header unless pp2-never-send-local (v2Addrs) asks for them.
func checkProxyDial(version int, v2Addrs bool, dialer func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		var src, dst netip.AddrPort
		if la, ok := c.LocalAddr().(*net.TCPAddr); ok {
			src = la.AddrPort()
		}
		if ra, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			dst = ra.AddrPort()
		}
		var hdr []byte
		switch {
		case version == 1:
			hdr = proxyproto.AppendV1(nil, src, dst)
		case v2Addrs:
			hdr = proxyproto.AppendV2(nil, src, dst)
		default:
			hdr = proxyproto.AppendV2(nil, netip.AddrPort{}, netip.AddrPort{})
		}
		if dl, ok := ctx.Deadline(); ok {
			c.SetWriteDeadline(dl)
		}
		if _, err := c.Write(hdr); err != nil {
			c.Close()
			return nil, err
		}
		c.SetWriteDeadline(time.Time{})
		return c, nil
	}
}

// sourceDial is the health-check dialer of a server with a `source`: it
// binds the source address and a port of its range (never usesrc's
// foreign address: a check has no client), and gives the port back when
// the probe closes the connection.
func sourceDial(cs *proxy.ConnSource, d net.Dialer) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, release, err := cs.DialCheck(ctx, d, network, addr)
		if err != nil {
			return nil, err
		}
		return &releasingConn{Conn: c, release: release}, nil
	}
}

// releasingConn runs release once it is closed.
type releasingConn struct {
	net.Conn
	release func()
}

func (c *releasingConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
