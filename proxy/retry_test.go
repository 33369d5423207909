package proxy

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// The rows follow HAProxy 2.6's back_handle_st_cer/stream_choose_redispatch;
// the ones marked "haproxy:" were checked against haproxy 2.6.12 on
// 127.0.0.1 (refused servers, timing and %rc of the log line).
func TestDecideRetry(t *testing.T) {
	rr3 := retryFacts{Retries: 3, ConnRetry: true, Redispatch: true, RedispatchEvery: -1, ActiveServers: 3, Refused: true}
	with := func(f retryFacts, fn func(*retryFacts)) retryFacts { fn(&f); return f }
	giveUp := retryPlan{GiveUp: true}
	now := retryPlan{Redispatch: true}
	waitSame := retryPlan{Wait: true}
	waitRedispatch := retryPlan{Redispatch: true, Wait: true}
	for _, tc := range []struct {
		name string
		f    retryFacts
		want retryPlan
	}{
		// haproxy: 2 refused servers, roundrobin or leastconn + redispatch:
		// 4 attempts in ~20 ms, "+3".
		{"not persistent, other active servers: redispatch at once", with(rr3, func(f *retryFacts) { f.Failures = 1 }), now},
		{"second failure likewise", with(rr3, func(f *retryFacts) { f.Failures = 2 }), now},
		{"retries exhausted", with(rr3, func(f *retryFacts) { f.Failures = 4 }), giveUp},
		{"retries 0: no retry", with(rr3, func(f *retryFacts) { f.Retries, f.Failures = 0, 1 }), giveUp},
		// haproxy: `retry-on none`: 503 at once, %rc 0.
		{"retry-on without conn-failure", with(rr3, func(f *retryFacts) { f.ConnRetry, f.Failures = false, 1 }), giveUp},
		{"persistent: same server after the turn-around", with(rr3, func(f *retryFacts) { f.Persistent, f.Failures = true, 1 }), waitSame},
		{"persistent, last retry: still the same server", with(rr3, func(f *retryFacts) { f.Persistent, f.Failures = true, 3 }), waitSame},
		// haproxy: a cookie pins the request (SF_DIRECT): no redispatch
		// at once, but the last retry still goes elsewhere (measured in
		// internal/haproxycmd TestCookiePersistenceMatchesHAProxy).
		{"cookie-direct: same server after the turn-around", with(rr3, func(f *retryFacts) { f.Direct, f.Failures = true, 1 }), waitSame},
		{"cookie-direct, last retry: redispatched", with(rr3, func(f *retryFacts) { f.Direct, f.Failures = true, 3 }), now},
		// haproxy: one refused server, no redispatch: 3 s, %rc 3.
		{"single server: turn-around", with(rr3, func(f *retryFacts) { f.Redispatch, f.ActiveServers, f.Failures = false, 1, 1 }), waitSame},
		{"no option redispatch: same server", with(rr3, func(f *retryFacts) { f.Redispatch, f.Failures = false, 2 }), waitSame},
		{"redispatch, only this server active: waits before redispatching", with(rr3, func(f *retryFacts) { f.ActiveServers, f.Failures = 1, 3 }), waitRedispatch},
		{"redispatch, only this server active, not last: same server", with(rr3, func(f *retryFacts) { f.ActiveServers, f.Failures = 1, 1 }), waitSame},
		{"server marked down: redispatch", with(rr3, func(f *retryFacts) { f.ServerDown, f.ActiveServers, f.Failures = true, 2, 1 }), now},
		{"server marked down, no other active: wait then redispatch", with(rr3, func(f *retryFacts) { f.ServerDown, f.ActiveServers, f.Failures = true, 0, 1 }), waitRedispatch},
		// haproxy: balance uri, 2 refused servers: 2 s (two turn-arounds,
		// then the last retry redispatched at once), %rc 3.
		{"hash: same server first", with(rr3, func(f *retryFacts) { f.HashBalance, f.Failures = true, 1 }), waitSame},
		{"hash: last retry redispatched at once", with(rr3, func(f *retryFacts) { f.HashBalance, f.Failures = true, 3 }), now},
		{"timeout: no turn-around", with(rr3, func(f *retryFacts) { f.Refused, f.HashBalance, f.Failures = false, true, 1 }), retryPlan{}},
		{"reused connection: no turn-around", with(rr3, func(f *retryFacts) { f.Reused, f.HashBalance, f.Failures = true, true, 1 }), retryPlan{}},
		{"redispatch 1: every retry", with(rr3, func(f *retryFacts) { f.HashBalance, f.RedispatchEvery, f.Failures = true, 1, 1 }), now},
		{"redispatch 2: not the first", with(rr3, func(f *retryFacts) { f.HashBalance, f.RedispatchEvery, f.Failures = true, 2, 1 }), waitSame},
		{"redispatch 2: the second", with(rr3, func(f *retryFacts) { f.HashBalance, f.RedispatchEvery, f.Failures = true, 2, 2 }), now},
		{"redispatch -2: the one before the last", with(rr3, func(f *retryFacts) { f.HashBalance, f.RedispatchEvery, f.Failures = true, -2, 2 }), now},
		{"redispatch 0: no interval", with(rr3, func(f *retryFacts) { f.HashBalance, f.RedispatchEvery, f.Failures = true, 0, 3 }), waitSame},
		{"redispatch 0: other reasons remain", with(rr3, func(f *retryFacts) { f.RedispatchEvery, f.Failures = 0, 1 }), now},
	} {
		if got := decideRetry(tc.f); got != tc.want {
			t.Errorf("%s: %+v -> %+v, want %+v", tc.name, tc.f, got, tc.want)
		}
	}
}

func TestTurnaround(t *testing.T) {
	for _, tc := range []struct{ connect, want time.Duration }{
		{0, time.Second}, {200 * time.Millisecond, 200 * time.Millisecond}, {5 * time.Second, time.Second},
	} {
		if got := turnaround(tc.connect); got != tc.want {
			t.Errorf("turnaround(%v) = %v, want %v", tc.connect, got, tc.want)
		}
	}
}

// A redispatched request goes to another server when one is usable, as
// HAProxy's roundrobin and leastconn do with the server to avoid; a
// map-based hash keeps its server.
func TestPickAvoiding(t *testing.T) {
	for algo, mayRepeat := range map[string]bool{"roundrobin": false, "static-rr": false, "leastconn": false, "uri": true} {
		cfg := seedConfig("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3")
		cfg.Backends[0].Balance = balance.Spec{Algorithm: algo}
		p, err := New(cfg, Options{NewBalancer: func(spec balance.Spec, s []*balance.Server) (balance.Balancer, error) {
			return balance.Build(spec, s)
		}})
		if err != nil {
			t.Fatal(err)
		}
		b := p.backends["servers"]
		avoid := b.list()[1]
		req := &balance.Request{URI: "/x"}
		hits := 0
		for range 12 {
			s := b.pickAvoiding(req, avoid, queuePrio{}, nil, nil)
			if s == nil {
				t.Fatalf("%s: no server", algo)
			}
			if s == avoid {
				hits++
			}
			b.release(s)
		}
		if hits > 0 && !mayRepeat {
			t.Errorf("%s: the avoided server picked %d times of 12", algo, hits)
		}
		if avoid.bal.Conns.Load() != 0 || b.list()[0].bal.Conns.Load() != 0 {
			t.Errorf("%s: slots left taken", algo)
		}
	}
}
