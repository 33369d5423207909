package haproxycmd

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/proxyproto"
)

// checkProxyDial is the health-check dialer for a send-proxy server checked
// on its traffic address: like HAProxy 2.6, each check connection starts
// with a PROXY header. v1 names the check connection's own addresses; v2
// is a LOCAL header unless pp2-never-send-local (v2Addrs) asks for them.
func checkProxyDial(version int, v2Addrs bool, d net.Dialer) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
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
