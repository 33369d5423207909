package proxy

// option nolinger on a tcp backend, as measured on HAProxy 2.6.12: when
// the client ends its side (a half-close or a close), HAProxy shuts the
// server side "silently" and closes it whole (stconn's NOLINGER flag on
// the server side, set from the backend's option): the server gets a
// reset where it would get a FIN, whatever it was still sending is
// dropped, and the client then gets a FIN. Without the option the
// client's FIN is passed on and the server's answer still flows back.
// (The frontend side of the option is refused: there HAProxy's resets
// depend on which side closed first in a way not pinned down yet.)

// reset closes the connection with SO_LINGER 0: a RST, not a FIN, and
// the unread and unsent bytes dropped.
func (c *tconn) reset() {
	if c.TCPConn != nil {
		c.TCPConn.SetLinger(0)
	}
	c.Close()
}
