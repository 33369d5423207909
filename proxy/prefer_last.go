package proxy

import (
	"slices"
	"syscall"
)

// KeepAlivePrefs are a backend's `option prefer-last-server` and
// `max-keep-alive-queue`, the latter plus one as HAProxy stores it (0: no
// limit).
type KeepAlivePrefs struct {
	PreferLast     bool
	KeepAliveQueue int
}

// lastServer is the server a session's request goes to under `option
// prefer-last-server`, before any balancing, as HAProxy 2.6's
// assign_server chooses it: a server of this backend the session still
// holds a kept-alive connection to, when the server is usable (up, not
// drained nor in maintenance) and, with `max-keep-alive-queue`, has a
// free slot or fewer requests waiting for it than the limit. Hashing
// algorithms ignore the option. nil: balance as usual.
//
// A session holds a server connection between its requests only when
// that connection is its own (http-reuse never): under the other modes
// HAProxy 2.6 hands an HTTP/1 connection to the server's idle pool at
// the end of each response, so the option changes nothing there
// (measured: TestPreferLastServerDifferential).
func (b *backend) lastServer(client clientAddrs, prev *server) *server {
	if !b.cfg.PreferLast || prev != nil || b.cfg.Balance.Hashed() || client.priv == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	list := b.list()
	return client.priv.firstHeld(func(srv *server) bool {
		if srv.h2 != nil || !slices.Contains(list, srv) || !srv.bal.Up || srv.bal.Weight == 0 {
			return false
		}
		q := b.cfg.KeepAliveQueue
		return q == 0 || srv.hasRoom() || int(srv.waiting.Load())+1 < q
	})
}

// hasRoom says whether the server has a free maxconn slot (HAProxy's
// server_has_room), without taking it.
func (s *server) hasRoom() bool {
	m := s.maxConn.Load()
	if m > 0 && s.bal.DynMaxConn != nil {
		m = s.bal.DynMaxConn()
	}
	return m <= 0 || s.bal.Conns.Load() < m
}

// peerClosed says whether an idle connection's peer closed or reset it:
// a peek that does not wait finds the end of the stream or an error.
func peerClosed(c *tconn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	raw.Control(func(fd uintptr) {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = err == nil && n == 0 || err != nil && err != syscall.EAGAIN && err != syscall.EINTR
	})
	return closed
}
