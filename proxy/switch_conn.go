package proxy

import (
	"math"
	"net"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// A tcp frontend that HAProxy 2.6 upgrades to HTTP per connection
// (Frontend.UpgradesPerConn; haproxycfg switchmode.go, switch_conn.go)
// runs each connection as a tcp stream until its switching rules chose
// a backend: a tcp backend keeps it a tcp stream (serveTCP); an http
// backend upgrades it there (proxy.c stream_set_backend), on the bytes
// its content inspection read: the session goes on as an HTTP one whose
// first request goes to that backend, its use_backend rules not run
// again (they ran on the raw bytes); its next requests' rules run on the
// HTTP message, and one that chooses a tcp backend is closed unanswered
// (otherModeBackend: measured "be/<NOSRV> -1/-1/0 0 IR", be_conn kept).
// What the connection's first request shows of the TCP stream it was
// (PR when it never comes whole, ereq counted twice, a session on the
// backend) is the implicit upgrade's (switchmode.go).

// connSwitch is a session's upgrade to HTTP.
type connSwitch struct {
	// up: the connection was upgraded (read by `show sess`).
	up atomic.Bool
	// be is the backend its switching rules chose for the first request
	// (nil when a switch-mode rule upgraded it before they ran).
	be *backend
	// switching: a switch-mode rule's condition held (tcp_content.go);
	// h1: it named proto h1, which turns the HTTP/2 upgrade off.
	switching, h1 bool
}

// tcpStream says whether the session is a tcp stream: a tcp
// frontend's connection not upgraded to HTTP.
func (s *session) tcpStream() bool {
	return s.fe.cfg.Mode == ModeTCP && s.stream == nil && !s.sw.up.Load()
}

// upgradedByBackend: the connection became HTTP once its backend was
// set, which counted a session on it (stream_set_backend).
func (s *session) upgradedByBackend() bool {
	return s.fe.cfg.UpgradedByBackend || s.sw.be != nil
}

// upgradingBackend is the backend that upgraded the connection.
func (s *session) upgradingBackend() *backend {
	if s.sw.be != nil {
		return s.sw.be
	}
	return s.tcpBackend() // unconditional rules only (haproxycfg)
}

// upgradeConn turns the tcp stream into an HTTP session whose buffer
// starts with pending (what the content inspection read); serve then
// runs it (serveHTTP). be is the http backend its switching rules chose
// (nil: a switch-mode rule upgraded it, the switching rules run on the
// HTTP request). The content rules ran (a switch-mode rule stops them):
// the first request skips their place in RequestRules (FirstContentSkip)
// and keeps their variables.
func (s *session) upgradeConn(be *backend, pending []byte) {
	s.sw.be = be
	s.sw.up.Store(true)
	s.firstContentRan = len(s.fe.cfg.TCPContentRules) > 0
	s.info.Payload, s.info.PayloadFinal = nil, true
	s.info.endRawHTTP() // raw_http.go
	s.takeBuf()
	s.end = copy(s.buf, pending)
	s.breq.Header = s.balanceHeader
	s.breq.LastHeader = s.balanceLastHeader
	s.info.req = &s.req
}

// httpBackend is the backend of an HTTP request: for the first request
// of an upgraded connection, the one that upgraded it; else the first
// use_backend whose condition holds, or the default. other: it is a
// backend of another mode (a dynamic name, or a rule of a tcp frontend
// upgraded per connection), where HAProxy refuses to send the request.
func (s *session) httpBackend() (be *backend, other bool) {
	fe := s.fe
	if s.sw.be != nil && !s.notFirst && s.stream == nil {
		return s.sw.be, false
	}
	be = fe.def
	for i, u := range fe.cfg.UseBackends {
		if u.Cond == nil || u.Cond.Match(&s.info) {
			if u.Dynamic == nil {
				be = fe.use[i]
			} else if b := s.dynamicBackend(&u); b != nil {
				be = b
			}
			break
		}
	}
	return be, be != nil && be.cfg.Mode != ModeHTTP
}

// drainOnReject reads, in a frontend upgraded per connection, what the
// socket holds before a content rule's reject closes it: HAProxy's TCP
// stream read it before its analysers ran, so its close is a FIN, not a
// reset (measured: TestSwitchModeAfterRulesDifferential,
// TestImplicitUpgradeContentDifferential).
func (s *session) drainOnReject() {
	if s.fe.cfg.UpgradesPerConn && s.c.TCPConn != nil {
		drainReady(s.c.TCPConn)
	}
}

// drainReady drops what c's socket holds now, without waiting, so that
// closing it sends a FIN and not a reset. As HAProxy's sock_drain: two
// turns of all that is queued, so a client that keeps sending cannot
// hold the close.
func drainReady(c *net.TCPConn) { discardReady(c, math.MaxInt32, 2) }

// discardReady drops up to limit bytes of what c's socket holds now, in
// at most turns reads, and returns how many it dropped. MSG_TRUNC makes
// the kernel discard them without copying them out.
func discardReady(c *net.TCPConn, limit, turns int) int64 {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	var n int64
	raw.Read(func(fd uintptr) bool {
		for ; turns > 0 && n < int64(limit); turns-- {
			k, _, e := syscall.Syscall6(syscall.SYS_RECVFROM, fd, 0, uintptr(int64(limit)-n), unix.MSG_DONTWAIT|unix.MSG_TRUNC, 0, 0)
			if e != 0 || int(k) <= 0 {
				break
			}
			n += int64(k)
		}
		return true
	})
	return n
}
