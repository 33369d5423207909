package proxy

import "golang.org/x/sys/unix"

// option nolinger, as measured on HAProxy 2.6.12.
//
// On an http frontend every client socket is accepted with SO_LINGER 0
// (HAProxy's FD_LINGER_RISK), so its close is a reset unless HAProxy
// read the client's end before:
//   - when HAProxy ends the connection (a `Connection: close` or HTTP/1.0
//     exchange, an error page, a keep-alive or request timeout) it shuts
//     its side (a FIN) and at once closes: the client gets a FIN then a
//     RST, and the connection is gone instead of waiting in CLOSE_WAIT;
//     a parser error's page is not followed by a drain of what the
//     client still sends;
//   - when the client's FIN had come by then, HAProxy's drain before the
//     close reads it and the close is a plain FIN (a half-closed HTTP/1.0
//     request);
//   - when the connection ends on the client's FIN (read while waiting
//     for a next request, a half-closed keep-alive request), the close
//     is a lone RST.
// Without the option every close is a FIN. (A tcp frontend's option is
// refused: there HAProxy resets the client after its half-close once the
// server closed, and drops the server's last bytes.)
//
// On a tcp backend, when the client ends its side (a half-close or a
// close), HAProxy shuts the server side "silently" and closes it whole
// (stconn's NOLINGER flag on the server side, set from the backend's
// option): the server gets a reset where it would get a FIN, whatever it
// was still sending is dropped, and the client then gets a FIN. Without
// the option the client's FIN is passed on and the server's answer still
// flows back.

// reset closes the connection with SO_LINGER 0: a RST, not a FIN, and
// the unread and unsent bytes dropped.
func (c *tconn) reset() {
	if c.TCPConn != nil {
		c.TCPConn.SetLinger(0)
	}
	c.Close()
}

// closeClean prepares a nolinger client socket's close (which its
// SO_LINGER 0 makes a reset) as HAProxy's: a clean shutdown first while
// neither side ended the connection; a plain close when the client's
// FIN came but was not read by the session (HAProxy's drain finds it).
func (c *tconn) closeClean() {
	raw, err := c.TCPConn.SyscallConn()
	if err != nil {
		return
	}
	state := uint8(0)
	raw.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			state = info.State
		}
	})
	switch state {
	case unix.BPF_TCP_ESTABLISHED:
		c.TCPConn.CloseWrite()
	case unix.BPF_TCP_CLOSE_WAIT, unix.BPF_TCP_LAST_ACK, unix.BPF_TCP_CLOSING:
		if !c.io.eof.Load() {
			c.TCPConn.SetLinger(-1)
		}
	}
}
