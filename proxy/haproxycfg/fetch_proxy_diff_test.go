package haproxycfg

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// proxyFetchExprs read the live figures and settings of proxies and
// servers, with and without their argument (the listen section's own).
var proxyFetchExprs = []string{
	"nbsrv", "nbsrv(be)", "nbsrv(be2)", "nbsrv(be3)",
	"be_conn", "be_conn(be)", "be_conn_free", "be_conn_free(be)", "be_conn_free(be2)", "be_conn_free(be3)",
	"connslots", "connslots(be)", "connslots(be2)", "connslots(be3)",
	"queue", "queue(be)", "avg_queue", "avg_queue(be2)", "avg_queue(be3)",
	"srv_conn(a)", "srv_conn(be/x)", "srv_conn_free(a)", "srv_conn_free(b)", "srv_conn_free(be/z)", "srv_conn_free(be3/n)",
	"srv_queue(a)", "srv_queue(be/y)",
	"srv_is_up(a)", "srv_is_up(b)", "srv_is_up(c)", "srv_is_up(be2/p)", "srv_is_up(be2/q)",
	"srv_weight(a)", "srv_weight(b)", "srv_weight(c)", "srv_weight(be/x)", "srv_iweight(a)", "srv_uweight(a)", "srv_iweight(be3/n)",
	"fe_conn", "fe_conn(li)", "fe_defbe", "fe_client_timeout", "be_server_timeout", "be_tunnel_timeout", "stopping",
	"str(be),nbsrv", "str(be2),nbsrv", "str(li),nbsrv", "str(nope),nbsrv", "str(),nbsrv",
	"str(be/y),srv_queue", "str(a),srv_queue", "str(be/nope),srv_queue", "str(/a),srv_queue", "str(nope/a),srv_queue",
	"nbsrv,add(1)", "srv_is_up(b),not",
}

// proxyRateExprs depend on the clock: each counts the events of the last
// second, so they are compared only when the requests came within a
// second of the start.
var proxyRateExprs = []string{"fe_sess_rate", "fe_sess_rate(li)", "fe_req_rate", "be_sess_rate", "be_sess_rate(be)", "srv_sess_rate(a)", "srv_sess_rate(be/x)"}

// TestProxyFetchDifferential: the proxy and server fetches (nbsrv,
// be_conn, connslots, srv_*, fe_*, the timeouts) and the nbsrv and
// srv_queue converters, in a listen section's http-request return
// (before a server is picked) and http-response set-header (while the
// server holds the request), beside HAProxy 2.6, byte for byte; the
// rates on one keep-alive connection right after the start.
func TestProxyFetchDifferential(t *testing.T) {
	web := loopback.StartWeb(t, "w").Addr
	var b strings.Builder
	b.WriteString(`defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 7s
    timeout tunnel 9s
listen li
    bind BIND
`)
	for i, e := range proxyFetchExprs {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string \"[%%[%s]]\" if { path /p%d }\n", e, i)
	}
	var rates []string
	for _, e := range proxyRateExprs {
		rates = append(rates, "%["+e+"]")
	}
	fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string \"%s\" if { path /rates }\n", strings.Join(rates, " "))
	b.WriteString("    http-response set-header x-r \"%[be_conn] %[srv_conn(a)] %[srv_conn_free(a)] %[be_conn_free] %[connslots] %[fe_conn] %[be_conn(be)]\"\n")
	fmt.Fprintf(&b, `    server a %[1]s maxconn 10 maxqueue 5 weight 3
    server b %[1]s maxconn 4 weight 2 disabled
    server c %[1]s backup
backend be
    server x %[1]s maxconn 7 maxqueue 3
    server y %[1]s maxconn 2 maxqueue 1 backup
    server z %[1]s backup maxconn 5 maxqueue 1
backend be2
    option allbackups
    server p %[1]s disabled
    server q %[1]s backup maxconn 3 maxqueue 2
    server r %[1]s backup maxconn 6 maxqueue 2
backend be3
    server m %[1]s disabled
    server n %[1]s weight 0 maxconn 1 maxqueue 1
`, web)
	cfg := b.String()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	start := time.Now()

	// The rates first, on one connection per daemon: the readiness
	// probe and this connection are the frontend's two sessions, the
	// first request the backend's and server a's.
	raw := "GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /rates HTTP/1.1\r\nHost: h\r\n\r\nGET /rates HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
	got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
	if time.Since(start) < 700*time.Millisecond {
		if !bytes.Equal(want, got) {
			t.Errorf("rates %v\nhaproxy: %q\ngoha:    %q", proxyRateExprs, want, got)
		}
	} else {
		t.Logf("rates not compared: %v after the start", time.Since(start))
	}
	wr, err1 := difftest.ParseAll(want)
	gr, err2 := difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != 3 || len(gr) != 3 {
		t.Fatalf("rates: %v %v\n%q\n%q", err1, err2, want, got)
	}
	t.Logf("rates %v: %q %q", proxyRateExprs, wr[1].Body, wr[2].Body)
	for _, r := range gr[1:] {
		for _, f := range strings.Fields(r.Body) {
			if _, err := strconv.Atoi(f); err != nil || len(strings.Fields(r.Body)) != len(proxyRateExprs) {
				t.Errorf("rates: %q is not %d integers", r.Body, len(proxyRateExprs))
			}
		}
	}

	for i, e := range proxyFetchExprs {
		raw := fmt.Sprintf("GET /p%d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", i)
		want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
		if testing.Verbose() {
			t.Logf("%s: %q", e, body(want))
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s\nhaproxy: %q\ngoha:    %q", e, body(want), body(got))
		}
	}
	raw = "GET /srv HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	want, _ = exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
	got, _ = exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
	wr, err1 = difftest.ParseAll(want)
	gr, err2 = difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != 1 || len(gr) != 1 {
		t.Fatalf("responses: %v %v\n%q\n%q", err1, err2, want, got)
	}
	t.Logf("x-r: %q", wr[0].Headers["x-r"])
	if w, g := wr[0].Headers["x-r"], gr[0].Headers["x-r"]; w != g || w == "" {
		t.Errorf("x-r: haproxy %q, goha %q", w, g)
	}
}
