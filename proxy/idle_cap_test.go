package proxy

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// TestIdleCapFollowsMaxconn: HAProxy's pool_high_count for a maxsock of
// twice the global maxconn, never under maxIdlePerServer.
func TestIdleCapFollowsMaxconn(t *testing.T) {
	for _, tc := range []struct{ maxconn, want int }{{0, 256}, {100, 256}, {1024, 512}, {5000, 2500}, {5001, 2501}} {
		if got := idleCap(tc.maxconn); got != tc.want {
			t.Errorf("idleCap(%d) = %d, want %d", tc.maxconn, got, tc.want)
		}
	}
}

// TestIdlePoolKeepsPastOldBound: with a global maxconn of 5000, a server
// whose 300 connections all go idle at once (the streams of h2load -c16
// -m32 ending together) keeps them all, as HAProxy does; without a
// global maxconn the pool stops at maxIdlePerServer.
func TestIdlePoolKeepsPastOldBound(t *testing.T) {
	now := time.Unix(100, 0)
	const n = 300
	for _, tc := range []struct{ maxconn, want int }{{5000, n}, {0, maxIdlePerServer}} {
		s := &server{reuse: ReuseSafe, cfg: &Server{PurgeDelay: time.Hour}, bal: &balance.Server{}, idleCap: idleCap(tc.maxconn)}
		s.need.noteUsed(n)
		for i, c := range loopbackConns(t, n) {
			s.bal.Conns.Store(int64(n - i)) // the request leaving it still counts
			if s.putIdle(newSrvTconn(c), now) {
				s.unpend() // its request releases its slot
			}
		}
		if got := s.idleCount(); got != tc.want {
			t.Errorf("maxconn %d: %d idle after %d puts, want %d", tc.maxconn, got, n, tc.want)
		}
		s.closeIdle()
	}
}

// TestIdlePoolPendingSlots: connections handed back by requests that
// have not yet released their slots count once, not twice: 300 requests
// ending together, each releasing its slot only after all have handed
// their connections back, leave 300 idle connections (HAProxy's
// curr_used_conns drops at each detach); counting them twice closed
// every one past the first half of the estimate.
func TestIdlePoolPendingSlots(t *testing.T) {
	now := time.Unix(100, 0)
	const n = 300
	s := &server{reuse: ReuseSafe, cfg: &Server{PurgeDelay: time.Hour}, bal: &balance.Server{}, idleCap: idleCap(5000)}
	s.bal.Conns.Store(n)
	s.need.noteUsed(n)
	for _, c := range loopbackConns(t, n) {
		if !s.putIdle(newSrvTconn(c), now) {
			t.Fatal("a plain connection was not taken back by the pool")
		}
	}
	if got := s.idleCount(); got != n {
		t.Errorf("%d idle after %d requests handed theirs back before releasing their slots, want %d", got, n, n)
	}
	for range n {
		s.unpend()
		s.bal.Conns.Add(-1)
	}
	if s.pending != 0 {
		t.Errorf("pending %d after every slot was released", s.pending)
	}
	s.closeIdle()
}
