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

// TestIdlePoolOrderAndAge: expired connections (a prefix of the pool,
// oldest first) are dropped, one that joined out of order is never
// handed out once expired, a later request takes an unproven connection
// before a safe one and a first request (aggressive) only a safe one,
// and the count of unproven connections follows every change.
func TestIdlePoolOrderAndAge(t *testing.T) {
	t0 := time.Unix(100, 0)
	mk := func() (*server, []*tconn) {
		s := &server{reuse: ReuseAggressive}
		cs := make([]*tconn, 5)
		for i, c := range loopbackConns(t, len(cs)) {
			cs[i] = newTconn(c, nil)
		}
		// joined at t0, t0+1s, t0+6s, t0+7s (unproven), and t0-10s out of order
		s.idle = []idleConn{{cs[0], t0, true}, {cs[1], t0.Add(time.Second), true},
			{cs[2], t0.Add(6 * time.Second), true}, {cs[3], t0.Add(7 * time.Second), false}, {cs[4], t0.Add(-10 * time.Second), true}}
		s.unproven = 1
		return s, cs
	}
	now := t0.Add(idleMaxAge + 2*time.Second) // the first two have expired
	s, cs := mk()
	if c := s.getIdle(now, "", "", nil, false); c != cs[3] {
		t.Fatalf("later request: got %p, want the unproven one %p", c, cs[3])
	}
	if s.unproven != 0 || len(s.idle) != 2 {
		t.Fatalf("after: %d idle, %d unproven; want 2 (expired dropped) and 0", len(s.idle), s.unproven)
	}
	if c := s.getIdle(now, "", "", nil, false); c != cs[2] {
		t.Fatalf("then: got %p, want the fresh safe one %p (the out-of-order expired one is closed)", c, cs[2])
	}
	if len(s.idle) != 0 {
		t.Fatalf("%d idle left, want 0", len(s.idle))
	}
	s, cs = mk()
	if c := s.getIdle(now, "", "", nil, true); c != cs[2] {
		t.Fatalf("first request under aggressive: got %p, want the safe one %p", c, cs[2])
	}
	if s.unproven != 1 {
		t.Fatalf("unproven %d, want 1", s.unproven)
	}
	s.cfg, s.bal = &Server{}, &balance.Server{}
	s.bal.Conns.Store(1)
	s.need.noteUsed(10) // room in the pool for both below
	more := loopbackConns(t, 2)
	safe, fresh := newTconn(more[0], nil), newTconn(more[1], nil)
	safe.served = 5
	s.putIdle(safe, now)  // safe: it served more than one request
	s.putIdle(fresh, now) // unproven: its first
	if s.unproven != 2 {
		t.Fatalf("unproven %d after two puts, want 2", s.unproven)
	}
}
