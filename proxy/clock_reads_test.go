package proxy

import (
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// TestStickAtIsStickNow: the tick of a reading is StickNow's at that
// instant.
func TestStickAtIsStickNow(t *testing.T) {
	for range 100 {
		before := StickNow()
		at := stickAt(time.Now())
		after := StickNow()
		if at < before || at > after {
			t.Fatalf("stickAt(now) = %d, StickNow around it %d..%d", at, before, after)
		}
	}
	past := time.Now().Add(-3 * time.Second)
	if d := StickNow() - stickAt(past); d < 2990 || d > 3100 {
		t.Fatalf("a reading 3 s old ticks %d ms before now", d)
	}
}

// TestSessionClockSharesOnlyWhatCannotHaveWaited: an HTTP/2 stream's
// preset reading serves its request's start and its head's first read
// (the head is in memory), once; the rate counters' tick follows the
// head's reading until a read.
func TestSessionClockSharesOnlyWhatCannotHaveWaited(t *testing.T) {
	var c sessionClock
	at := time.Now().Add(-time.Second) // told apart from a new reading
	c.preset(at)
	if got := c.requestStart(); !got.Equal(at) {
		t.Fatalf("requestStart = %v, want the preset %v", got, at)
	}
	if got := c.requestStart(); got.Equal(at) {
		t.Fatal("the preset served a second request start")
	}
	if got := c.headRead(0, at); !got.Equal(at) {
		t.Fatalf("first head read of a head in memory: %v, want %v", got, at)
	}
	if got := c.readDone(at); !got.Equal(at) {
		t.Fatalf("first byte of a head in memory: %v, want %v", got, at)
	}
	// Later reads may wait: they take their own readings.
	if got := c.headRead(0, at); !got.IsZero() {
		t.Fatalf("head read after the first: %v, want none", got)
	}
	if got := c.readDone(at); got.Equal(at) {
		t.Fatal("a read that may have waited took the reading before it")
	}
	// A socket's session (no preset): nothing shared.
	var s sessionClock
	if got := s.headRead(0, at); !got.IsZero() {
		t.Fatalf("socket head read: %v, want none", got)
	}
	if got := s.readDone(at); got.Equal(at) {
		t.Fatal("a socket read took the reading before it")
	}

	head := time.Now().Add(-2 * time.Second)
	if got, want := c.headTick(head), stickAt(head); got != want {
		t.Fatalf("headTick = %d, want %d", got, want)
	}
	if got, want := c.tick(), stickAt(head); got != want {
		t.Fatalf("tick after the head = %d, want the head's %d", got, want)
	}
	picked := time.Now().Add(-time.Second)
	if got, want := c.tickAt(picked), stickAt(picked); got != want {
		t.Fatalf("tickAt(pick) = %d, want %d", got, want)
	}
	c.readDone(time.Time{}) // a read from the client: the head's reading is old
	if got := c.tick(); got == stickAt(head) {
		t.Fatal("tick after a read still at the head's reading")
	}
}

// TestPickTakesHeadReadingUnlessQueued: a first pick that waited in no
// queue takes the request head's reading (tl.fresh); one that waited
// for a slot reads the clock after its wait (Tw counts the wait).
func TestPickTakesHeadReadingUnlessQueued(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg := seedConfig(ln.Addr().String())
	cfg.Backends[0].Servers[0].MaxConn = 1
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	b := p.backends["servers"]
	head := time.Now().Add(-time.Second)
	connect := func(tl *timeline) {
		srv, sc, _ := b.connect(&balance.Request{URI: "/"}, clientAddrs{}, time.Second, tl, &retryLog{}, nil)
		if srv == nil || sc == nil {
			t.Fatal("no connection")
		}
		sc.Close()
		b.release(srv)
	}
	tl := &timeline{fresh: head}
	connect(tl)
	if !tl.picked.Equal(head) {
		t.Fatalf("unqueued pick at %v, want the head's reading %v", tl.picked, head)
	}
	if !tl.fresh.IsZero() {
		t.Fatal("connect left its reading for a later pick")
	}

	srv := b.list()[0]
	if !srv.acquire() {
		t.Fatal("slot taken")
	}
	tl = &timeline{fresh: head}
	done := make(chan struct{})
	go func() { defer close(done); connect(tl) }()
	for b.queueWaits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	freed := time.Now()
	b.release(srv)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the queued pick never ended")
	}
	if tl.picked.Before(freed) {
		t.Fatalf("queued pick at %v, before its slot was freed at %v", tl.picked, freed)
	}
}
