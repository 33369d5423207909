package haproxycfg

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
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

// sameConverterOutputs runs each of exprs (a converter chain) on each of
// msgs, sent base64-encoded in header M, in both proxies (one return
// rule an expression, picked by header E) and compares the answers;
// show names a message in the test's lines.
func sameConverterOutputs(t *testing.T, exprs []string, msgs [][]byte, show func([]byte) string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	for i, e := range exprs {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string \"[%%[req.hdr(m),b64dec,%s]]\" if { req.hdr(e) %d }\n", e, i)
	}
	cfg := b.String()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for i, e := range exprs {
		for _, m := range msgs {
			raw := fmt.Sprintf("GET / HTTP/1.1\r\nHost: h\r\nE: %d\r\nM: %s\r\nConnection: close\r\n\r\n", i, base64.StdEncoding.EncodeToString(m))
			want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
			got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
			if testing.Verbose() {
				t.Logf("%s on %s: %q", e, show(m), body(want))
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s on %s\nhaproxy: %q\ngoha:    %q", e, show(m), body(want), body(got))
			}
		}
	}
}
