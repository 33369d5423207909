package haproxycfg

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// exchangeAll sends raw on a new connection to addr, reads until the
// peer closes or 2 s pass without a byte, and parses the responses
// (methods as difftest.ParseAll takes them). A connection or parse
// failure fails the test.
func exchangeAll(t *testing.T, addr, raw string, methods ...string) []difftest.Response {
	t.Helper()
	out, err := difftest.Exchange(addr, []byte(raw), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := difftest.ParseAll(out, methods...)
	if err != nil {
		t.Fatalf("%q: %v %q", raw, err, out)
	}
	return rs
}

// exchangeSole is exchangeAll for a request with one response: any
// other count fails the test.
func exchangeSole(t *testing.T, addr, raw string) difftest.Response {
	t.Helper()
	rs := exchangeAll(t, addr, raw)
	if len(rs) != 1 {
		t.Fatalf("%q: %d responses %+v", raw, len(rs), rs)
	}
	return rs[0]
}

// delayedAnswer sends parts to addr as sendParts does, reads until a
// second passes without a byte, and tells what came back and whether the
// proxy held it first (nothing before its 600 ms delay, or an answer
// after the delay and the read's second).
func delayedAnswer(addr string, parts []string) string {
	c, start, err := sendParts(addr, parts)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	var got []byte
	buf := make([]byte, 256)
	for {
		c.SetReadDeadline(time.Now().Add(time.Second))
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	waited := time.Since(start) > 550*time.Millisecond && len(got) == 0 ||
		len(got) > 0 && time.Since(start) > 1550*time.Millisecond // the delay, then the read's second
	return fmt.Sprintf("%q waited=%v", got, waited)
}

// samePartsAnswers runs try with each case's parts on HAProxy and goha,
// every case and both sides at once, and compares the answers.
func samePartsAnswers(t *testing.T, ha, goha string, cases [][]string, try func(addr string, parts []string) string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, parts := range cases {
		wg.Go(func() {
			want, got := bothAtOnce(ha, goha, func(addr string) string { return try(addr, parts) })
			t.Logf("%q: %s", parts, want)
			if want != got {
				t.Errorf("%q:\n haproxy %s\n goha    %s", parts, want, got)
			}
		})
	}
	wg.Wait()
}
