package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b *net.TCPConn) {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   *net.TCPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.AcceptTCP()
		ch <- res{c, err}
	}()
	a, err = net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { a.Close(); r.c.Close() })
	return a, r.c
}

// relayHarness is client ⇄ [proxyClient | relay | proxyServer] ⇄ server.
type relayHarness struct {
	client, server *net.TCPConn
	done           chan relayCounts
}

func startRelay(t *testing.T, to relayTimeouts, up, down spliceMode) *relayHarness {
	t.Helper()
	client, pc := tcpPair(t)
	ps, server := tcpPair(t)
	h := &relayHarness{client: client, server: server, done: make(chan relayCounts, 1)}
	go func() { h.done <- relay(newTconn(pc, nil), newTconn(ps, nil), to, up, down) }()
	return h
}

func (h *relayHarness) wait(t *testing.T) relayCounts {
	t.Helper()
	select {
	case rc := <-h.done:
		return rc
	case <-time.After(10 * time.Second):
		t.Fatal("relay did not end")
		return relayCounts{}
	}
}

// send writes p on c and half-closes it, in the background.
func send(c *net.TCPConn, p []byte) {
	go func() {
		c.Write(p)
		c.CloseWrite()
	}()
}

func readAllWithin(t *testing.T, c *net.TCPConn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7+i/251)
	}
	return b
}

// Both directions at once, each mode: the bytes arrive intact and in
// order, the half-closes travel, and only the directions configured to
// splice (from the first byte, or once they stream for auto) use splice.
func TestRelaySpliceModes(t *testing.T) {
	const big = 3 << 20 // well past streamerReads full buffers
	for _, tc := range []struct {
		name             string
		up, down         spliceMode
		upSize, downSize int
		check            func(t *testing.T, rc relayCounts)
	}{
		{"never", spliceNever, spliceNever, big, big, func(t *testing.T, rc relayCounts) {
			if rc.splicedUp != 0 || rc.splicedDown != 0 {
				t.Errorf("spliced %d/%d bytes without splice options", rc.splicedUp, rc.splicedDown)
			}
		}},
		{"request", spliceAlways, spliceNever, big, big, func(t *testing.T, rc relayCounts) {
			if rc.splicedUp != big || rc.splicedDown != 0 {
				t.Errorf("spliced up %d down %d, want %d and 0", rc.splicedUp, rc.splicedDown, big)
			}
		}},
		{"response", spliceNever, spliceAlways, 100, big, func(t *testing.T, rc relayCounts) {
			if rc.splicedUp != 0 || rc.splicedDown != big {
				t.Errorf("spliced up %d down %d, want 0 and %d", rc.splicedUp, rc.splicedDown, big)
			}
		}},
		{"auto-stream", spliceAuto, spliceAuto, big, big, func(t *testing.T, rc relayCounts) {
			// The first reads are copied; the rest of a stream is spliced.
			for _, n := range []int64{rc.splicedUp, rc.splicedDown} {
				if n == 0 || n >= big {
					t.Errorf("auto spliced %d of %d bytes, want some but not all", n, big)
				}
			}
		}},
		{"auto-small", spliceAuto, spliceAuto, 3000, 20, func(t *testing.T, rc relayCounts) {
			if rc.splicedUp != 0 || rc.splicedDown != 0 {
				t.Errorf("auto spliced %d/%d bytes of small messages", rc.splicedUp, rc.splicedDown)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startRelay(t, relayTimeouts{client: 5 * time.Second, server: 5 * time.Second}, tc.up, tc.down)
			upData, downData := pattern(tc.upSize, 1), pattern(tc.downSize, 2)
			send(h.client, upData)
			send(h.server, downData)
			gotDown := make(chan []byte, 1)
			go func() {
				h.client.SetReadDeadline(time.Now().Add(10 * time.Second))
				b, _ := io.ReadAll(h.client)
				gotDown <- b
			}()
			gotUp := readAllWithin(t, h.server)
			if !bytes.Equal(gotUp, upData) {
				t.Fatalf("server got %d bytes, want %d (equal prefix: %v)", len(gotUp), len(upData), bytes.HasPrefix(upData, gotUp))
			}
			if b := <-gotDown; !bytes.Equal(b, downData) {
				t.Fatalf("client got %d bytes, want %d", len(b), len(downData))
			}
			rc := h.wait(t)
			if rc.up != int64(tc.upSize) || rc.down != int64(tc.downSize) {
				t.Fatalf("counted up %d down %d, want %d %d", rc.up, rc.down, tc.upSize, tc.downSize)
			}
			tc.check(t, rc)
		})
	}
}

// Without independent-streams a byte written to a side restarts its
// clock: a server that keeps talking keeps the session open although the
// client sends nothing for longer than its timeout; once both are quiet,
// both sides close, and the end is the client's timeout (cD).
func TestRelayIdleCountsBothDirections(t *testing.T) {
	const idle = 300 * time.Millisecond
	h := startRelay(t, relayTimeouts{client: idle, server: idle}, spliceNever, spliceNever)
	h.client.Write([]byte("hello"))
	go func() {
		for i := 0; i < 10; i++ {
			time.Sleep(idle / 5)
			if _, err := h.server.Write([]byte{'0' + byte(i)}); err != nil {
				return
			}
		}
	}()
	got := readAllWithin(t, h.client) // EOF once the relay gave up
	if string(got) != "0123456789" {
		t.Fatalf("client got %q before the relay closed, want all ten ticks", got)
	}
	rc := h.wait(t)
	if rc.up != 5 || rc.down != 10 || rc.term != [2]byte{'c', 'D'} {
		t.Fatalf("counted %+v, want 5 up, 10 down, cD", rc)
	}
	h.server.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(h.server)
	if string(b) != "hello" || err != nil {
		t.Fatalf("server read %q %v; want hello then EOF", b, err)
	}
}

// A relay that idles holds no pooled buffer: the per-direction small
// buffers take the first read, the pooled one is handed back once a read
// leaves it partly empty.
func TestRelayIdleHoldsNoPooledBuffer(t *testing.T) {
	before := buffersInUse.Load()
	h := startRelay(t, relayTimeouts{client: 5 * time.Second, server: 5 * time.Second}, spliceNever, spliceNever)
	msg := pattern(100000, 3) // several full reads, then a partial one
	if _, err := h.client.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	h.server.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(h.server, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("read %v, equal %v", err, bytes.Equal(got, msg))
	}
	// The relay hands the buffer back right after its last write; the
	// reader may see the bytes a moment before that.
	for i := 0; i < 200 && buffersInUse.Load() != before; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if n := buffersInUse.Load(); n != before {
		t.Fatalf("idle relay holds %d pooled buffers", n-before)
	}
	h.client.CloseWrite()
	h.server.CloseWrite()
	h.wait(t)
}

func TestSpliceModes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nosplice bool
		f, b     SpliceOptions
		up, down spliceMode
	}{
		{"none", false, SpliceOptions{}, SpliceOptions{}, spliceNever, spliceNever},
		{"frontend auto", false, SpliceOptions{Auto: true}, SpliceOptions{}, spliceAuto, spliceAuto},
		{"backend request", false, SpliceOptions{}, SpliceOptions{Request: true}, spliceAlways, spliceNever},
		{"response and auto", false, SpliceOptions{Response: true}, SpliceOptions{Auto: true}, spliceAuto, spliceAlways},
		{"ORed", false, SpliceOptions{Request: true}, SpliceOptions{Response: true}, spliceAlways, spliceAlways},
		{"nosplice", true, SpliceOptions{Auto: true, Request: true}, SpliceOptions{Response: true}, spliceNever, spliceNever},
	} {
		up, down := spliceModes(tc.nosplice, tc.f, tc.b)
		if up != tc.up || down != tc.down {
			t.Errorf("%s: got %d/%d, want %d/%d", tc.name, up, down, tc.up, tc.down)
		}
	}
}

// option independent-streams on the backend: the bytes the client keeps
// sending no longer restart the server's clock, so a silent server's runs
// out (sD): the client gets a FIN while its bytes still reach the server,
// until its own clock runs out.
func TestRelayIndependentServerClock(t *testing.T) {
	const d = 300 * time.Millisecond
	h := startRelay(t, relayTimeouts{client: d, server: d, indepServer: true}, spliceNever, spliceNever)
	start := time.Now()
	fin := make(chan time.Duration, 1)
	go func() {
		h.client.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.ReadAll(h.client)
		fin <- time.Since(start)
	}()
	for i := 0; i < 10; i++ {
		if _, err := h.client.Write([]byte{'a' + byte(i)}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		time.Sleep(d / 5)
	}
	if at := <-fin; at < d/2 || at > 2*d {
		t.Errorf("the client got its FIN after %v, want about %v", at, d)
	}
	got := readAllWithin(t, h.server) // EOF once the client's clock ran out
	if string(got) != "abcdefghij" {
		t.Errorf("server got %q", got)
	}
	if rc := h.wait(t); rc.term != [2]byte{'s', 'D'} || rc.up != 10 {
		t.Errorf("relay ended %+v, want sD after 10 bytes up", rc)
	}
}
