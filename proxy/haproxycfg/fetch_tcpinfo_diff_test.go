package haproxycfg

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestTCPInfoFetchDifferential: fc_rtt, fc_rttvar and the TCP_INFO
// counters of the client connection, in an http-request return and in a
// tcp-request connection rule, beside HAProxy 2.6. On an idle loopback
// connection the counters (unacked, sacked, lost, retrans, fackets,
// reordering) and the millisecond RTT are the kernel's same figures and
// are compared exactly; the microsecond RTT and its variance depend on
// the moment, so only their shape (integers) is compared.
func TestTCPInfoFetchDifferential(t *testing.T) {
	cfg := httpHead + `frontend fe
    bind BIND
    tcp-request connection reject if { fc_reordering lt 1 }
    http-request return status 200 content-type text/plain lf-string "%[fc_rtt] %[fc_unacked] %[fc_sacked] %[fc_lost] %[fc_retrans] %[fc_fackets] %[fc_reordering] %[fc_rtt(ms),bool] %[fc_http_major]|%[fc_rtt(us)] %[fc_rttvar] %[fc_rttvar(us)]"
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	raw := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	for i := 0; i < 3; i++ {
		want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
		wr, err1 := difftest.ParseAll(want)
		gr, err2 := difftest.ParseAll(got)
		if err1 != nil || err2 != nil || len(wr) != 1 || len(gr) != 1 {
			t.Fatalf("%v %v\n%q\n%q", err1, err2, want, got)
		}
		t.Logf("haproxy %q, goha %q", wr[0].Body, gr[0].Body)
		wExact, wShape, _ := strings.Cut(wr[0].Body, "|")
		gExact, gShape, _ := strings.Cut(gr[0].Body, "|")
		if wExact != gExact {
			t.Errorf("counters: haproxy %q, goha %q", wExact, gExact)
		}
		for _, shape := range []string{wShape, gShape} {
			f := strings.Fields(shape)
			if len(f) != 3 {
				t.Fatalf("shape %q", shape)
			}
			for _, n := range f {
				if v, err := strconv.Atoi(n); err != nil || v < 0 {
					t.Errorf("%q is not a count", n)
				}
			}
		}
	}
}

// TestTCPInfoFetchH2Differential: on an HTTP/2 connection (h2c) a
// stream reads its connection's TCP_INFO and fc_http_major is 2, beside
// HAProxy 2.6.
func TestTCPInfoFetchH2Differential(t *testing.T) {
	cfg := httpHead + `frontend fe
    bind BIND proto h2
    http-request return status 200 content-type text/plain lf-string "%[fc_http_major] %[fc_rtt] %[fc_unacked] %[fc_lost] %[fc_reordering]"
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	get := func(addr string) string {
		resp, err := h2Client(t, testPKI{}, addr, false).Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Proto + " " + string(b)
	}
	// fc_unacked counts the segments the client has not acknowledged
	// yet when the rule runs: 0 or 1 on either side, with the client's
	// delayed ACK of the server's SETTINGS (goha read 1 now and then).
	unacked := func(s string) string {
		f := strings.Fields(s)
		if len(f) == 6 && (f[3] == "0" || f[3] == "1") {
			f[3] = "0|1"
		}
		return strings.Join(f, " ")
	}
	want, got := get(ha), get(goha)
	t.Logf("haproxy %q, goha %q", want, got)
	if unacked(want) != unacked(got) {
		t.Errorf("haproxy %q, goha %q", want, got)
	}
}
