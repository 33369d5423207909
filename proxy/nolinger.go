package proxy

import (
	"net"

	"golang.org/x/sys/unix"
)

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
// Without the option every close is a FIN.
//
// On a tcp frontend (or listen) the client socket is the same SO_LINGER 0
// one, and the relay ends as HAProxy's (TestNoLingerTCPFrontendDifferential):
//   - a session ending on the client's FIN (a half-close, or a close after
//     reading), once the server's end came, closes the client with a lone
//     RST where it would get a FIN; the server's last bytes read together
//     with its FIN are dropped (HAProxy never sends them), those that came
//     before it are passed on;
//   - a session the proxy ends while the client is open (its timeout, a
//     refused server) sends the client a FIN then a RST;
//   - a FIN passed on from the server (its end, its timeout) leaves the
//     client's socket open until the client's FIN, as without the option.
// Over TLS the same, the close_notify (HAProxy's SSL_shutdown) sent before
// the reset on the client's FIN (TestNoLingerTLSFrontendDifferential).
//
// On a tcp backend, when the client ends its side (a half-close or a
// close), HAProxy shuts the server side "silently" and closes it whole
// (stconn's NOLINGER flag on the server side, set from the backend's
// option): the server gets a reset where it would get a FIN, whatever it
// was still sending is dropped, and the client then gets a FIN. A server
// whose own FIN was read first gets a FIN. Without the option the
// client's FIN is passed on and the server's answer still flows back.

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

// finWaiting says whether the peer's FIN is already queued on c, behind
// no byte: a read now would return its end.
func finWaiting(c *net.TCPConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	fin := false
	raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		fin = n == 0 && err == nil
		return true
	})
	return fin
}

// dropsLast says whether bytes just read from the server of a tcp
// session are dropped: under a frontend's option nolinger, once the
// client's FIN was read, HAProxy 2.6 drops the server's bytes that came
// with its FIN (read with it: they are never sent) and resets the client
// at once (measured with the server's last bytes and FIN in one segment:
// always dropped; in two segments apart: sent, then the reset).
func (r *relayState) dropsLast(src *relaySide) bool {
	return src == &r.srv && r.cli.conn.noLinger && !r.t.http && r.cli.conn.io.eof.Load() &&
		src.conn.TCPConn != nil && finWaiting(src.conn.TCPConn)
}
