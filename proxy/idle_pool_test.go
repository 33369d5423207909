package proxy

import (
	"net"

	"github.com/goha-lb/goha/proxy/balance"
	"testing"
	"time"
)

// loopbackConns gives n connected TCP connections (their client ends),
// closed at the end of the test.
func loopbackConns(t *testing.T, n int) []*net.TCPConn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out := make([]*net.TCPConn, n)
	for i := range out {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = c.(*net.TCPConn)
		t.Cleanup(func() { c.Close() })
	}
	return out
}

// TestIdlePoolOrder: a later request takes an unproven connection
// before a safe one, a first request (aggressive) only a safe one, and
// the count of unproven connections (which lets a request skip a scan
// that would find nothing) follows every change: takes, puts, purges.
func TestIdlePoolOrder(t *testing.T) {
	now := time.Unix(100, 0)
	mk := func() (*server, []*tconn) {
		s := &server{reuse: ReuseAggressive, cfg: &Server{PurgeDelay: time.Hour}, bal: &balance.Server{}}
		cs := make([]*tconn, 4)
		for i, c := range loopbackConns(t, len(cs)) {
			cs[i] = newSrvTconn(c)
		}
		s.idle = []idleConn{{cs[0], true}, {cs[1], true}, {cs[2], true}, {cs[3], false}}
		s.unproven = 1
		return s, cs
	}
	s, cs := mk()
	if c := s.getIdle(now, "", "", "", nil, false); c != cs[3] {
		t.Fatalf("later request: got %p, want the unproven one %p", c, cs[3])
	}
	if s.unproven != 0 || len(s.idle) != 3 {
		t.Fatalf("after: %d idle, %d unproven; want 3 and 0", len(s.idle), s.unproven)
	}
	if c := s.getIdle(now, "", "", "", nil, false); c != cs[2] {
		t.Fatalf("then: got %p, want the most recent safe one %p", c, cs[2])
	}
	s, cs = mk()
	if c := s.getIdle(now, "", "", "", nil, true); c != cs[2] {
		t.Fatalf("first request under aggressive: got %p, want the safe one %p", c, cs[2])
	}
	if s.unproven != 1 {
		t.Fatalf("unproven %d, want 1", s.unproven)
	}
	s.bal.Conns.Store(1)
	s.need.noteUsed(10) // room in the pool for both below
	more := loopbackConns(t, 2)
	safe, fresh := newSrvTconn(more[0]), newSrvTconn(more[1])
	safe.served = 5
	s.putIdle(safe, now)  // safe: it served more than one request
	s.putIdle(fresh, now) // unproven: its first
	if s.unproven != 2 || len(s.idle) != 5 {
		t.Fatalf("%d idle, %d unproven after two puts, want 5 and 2", len(s.idle), s.unproven)
	}
	// A purge closes the unproven ones first.
	s.bal.Conns.Store(0)
	s.need = idleNeed{}
	s.purgeIdle()
	if s.unproven != 0 || len(s.idle) != 1 {
		t.Fatalf("%d idle, %d unproven after a purge with no need, want 1 and 0", len(s.idle), s.unproven)
	}
	s.closeIdle()
	if s.unproven != 0 || len(s.idle) != 0 {
		t.Fatalf("%d idle, %d unproven after closeIdle", len(s.idle), s.unproven)
	}
}
