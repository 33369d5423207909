package proxy

import (
	"net"
	"net/netip"
)

// rejectConn runs the frontend's `tcp-request connection` rules on a
// connection just accepted: the first whose condition holds decides, and
// none means accept. A rejected connection is closed at once with a reset,
// before a byte is read, as HAProxy 2.6 does; it reports whether it did.
func rejectConn(f *frontend, c *net.TCPConn) bool {
	rules := f.cfg.TCPConnRules
	if len(rules) == 0 {
		return false
	}
	var info RequestInfo
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		info.Src = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&info) {
			continue
		}
		if !r.Reject {
			return false
		}
		c.SetLinger(0)
		c.Close()
		return true
	}
	return false
}
