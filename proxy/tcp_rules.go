package proxy

import (
	"net"
)

// rejectConn runs the frontend's `tcp-request connection` rules on a
// connection just accepted: the first whose condition holds decides, and
// none means accept. A rejected connection is closed at once with a reset,
// before a byte is read, as HAProxy 2.6 does; it reports whether it did.
func rejectConn(f *frontend, c *net.TCPConn, listenerID int) bool {
	rules := f.cfg.TCPConnRules
	if len(rules) == 0 {
		return false
	}
	info := RequestInfo{Src: peerAddr(c), Frontend: ProxyRef{f.cfg.Name, f.cfg.ID}, ListenerID: listenerID}
	info.Backend = info.Frontend
	if la, ok := c.LocalAddr().(*net.TCPAddr); ok {
		info.Dst = unmapped(la.AddrPort())
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
