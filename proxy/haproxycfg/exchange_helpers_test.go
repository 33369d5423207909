package haproxycfg

import (
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
