package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// The comparison steps the differential tests of this package share,
// once both daemons run the same configuration (startBoth,
// startBothLogged, startBothLoggedStats).

// httplogFrontend starts the configurations of the tests that compare
// httplog lines: logs to the test's socket (LOG), http mode, and a
// frontend fe on BIND whose rules follow.
const httplogFrontend = httpLogHead + `frontend fe
    bind BIND
`

// sameAnswer sends raw on a new connection to HAProxy, then to goha, and
// compares the bytes each answered and how each connection ended (idle:
// open after that long without a byte). label names the case in a
// failure. It returns HAProxy's answer, for the test's own checks.
func sameAnswer(t *testing.T, label, ha, goha, raw string, idle time.Duration) []byte {
	t.Helper()
	want, wantEnd := exchangeFrom(t, "", ha, raw, idle)
	got, gotEnd := exchangeFrom(t, "", goha, raw, idle)
	compareAnswers(t, label, want, got, wantEnd, gotEnd)
	return want
}

// sameAnswerAtOnce is sameAnswer with both exchanges at the same time,
// for cases that wait out idle on each side.
func sameAnswerAtOnce(t *testing.T, label, ha, goha, raw string, idle time.Duration) []byte {
	t.Helper()
	var want []byte
	var wantEnd string
	done := make(chan struct{})
	go func() { defer close(done); want, wantEnd = exchangeFrom(t, "", ha, raw, idle) }()
	got, gotEnd := exchangeFrom(t, "", goha, raw, idle)
	<-done
	compareAnswers(t, label, want, got, wantEnd, gotEnd)
	return want
}

// sameAnswersLogged sends each raw on a new connection to HAProxy, then
// to goha (sameAnswer, open after 300 ms idle), and compares the one log
// line each side makes for it; the raw, quoted, labels the case.
func sameAnswersLogged(t *testing.T, ha, goha string, haLog, goLog chan string, raws ...string) {
	t.Helper()
	for _, raw := range raws {
		label := fmt.Sprintf("%q", raw)
		sameAnswer(t, label, ha, goha, raw, 300*time.Millisecond)
		sameLogLines(t, label, haLog, goLog, 1)
	}
}

func compareAnswers(t *testing.T, label string, want, got []byte, wantEnd, gotEnd string) {
	t.Helper()
	if !bytes.Equal(want, got) || wantEnd != gotEnd {
		t.Errorf("%s\nhaproxy (%s):\n%.600q\ngoha (%s):\n%.600q", label, wantEnd, want, gotEnd, got)
	}
}

// sameLogLines compares the next n log lines of each side (normLog'd)
// and returns HAProxy's.
func sameLogLines(t *testing.T, label string, haLog, goLog chan string, n int) []string {
	t.Helper()
	var out []string
	for range n {
		w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha")
		if w != g {
			t.Errorf("%s: log\nhaproxy: %s\ngoha:    %s", label, w, g)
		}
		out = append(out, w)
	}
	return out
}

// haproxyBoundary is the largest n in [lo, hi) for which fits (a probe
// of HAProxy) holds, found by bisection; fits(lo) must hold and fits(hi)
// fail, else the test stops: it would compare nothing.
func haproxyBoundary(t *testing.T, label string, lo, hi int, fits func(n int) bool) int {
	t.Helper()
	if !fits(lo) || fits(hi) {
		t.Fatalf("%s: no boundary between %d and %d in haproxy", label, lo, hi)
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	t.Logf("%s: fits up to %d bytes", label, lo)
	return lo
}

// statCounter is one show stat cell (row pxname/svname, column) and
// goha's count for it.
type statCounter struct {
	row, col string
	got      int64
}

// sameStatDeltas compares, for each counter, how much HAProxy's show stat
// cell grew between before and after (allStatRows), less what off says
// the test's own probes added, with goha's count. nonZero also requires
// HAProxy's growth to be other than 0 (the case happened).
func sameStatDeltas(t *testing.T, before, after string, cs []statCounter, off func(statCounter) int64, nonZero bool) {
	t.Helper()
	b, a := allStatRows(before), allStatRows(after)
	for _, c := range cs {
		w := a[c.row][c.col] - b[c.row][c.col]
		if off != nil {
			w -= off(c)
		}
		if w != c.got || nonZero && w == 0 {
			t.Errorf("%s %s: haproxy %d, goha %d", c.row, c.col, w, c.got)
		}
	}
}

// sendParts dials addr and writes each part, 200 ms apart; it returns
// the connection and when it was made.
func sendParts(addr string, parts []string) (net.Conn, time.Time, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, time.Time{}, err
	}
	start := time.Now()
	for i, p := range parts {
		if i > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		c.Write([]byte(p))
	}
	return c, start, nil
}

// namedAnswer sends parts to a tcp frontend whose servers are tcpNamed
// and tells what came back and whether the proxy waited out its
// inspect delay of 600 ms (then the server's 300 ms) first: an answer
// takes 900 ms at least then, 500 ms at most without the wait (two
// parts 200 ms apart, then the server's 300 ms); the line between is
// drawn at 700 ms, 200 ms from both for a loaded machine.
func namedAnswer(addr string, parts []string) string {
	c, start, err := sendParts(addr, parts)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, _ := io.ReadAll(c)
	waited := time.Since(start) > 700*time.Millisecond
	return fmt.Sprintf("%q waited=%v", b, waited)
}

// bothAtOnce runs try against HAProxy and goha at the same time.
func bothAtOnce(ha, goha string, try func(addr string) string) (want, got string) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); want = try(ha) }()
	go func() { defer wg.Done(); got = try(goha) }()
	wg.Wait()
	return want, got
}
