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
	b.WriteString("    http-response set-header x-s \"%[srv_name] %[srv_id] %[bc_src] %[bc_dst] %[bc_dst_port] %[bc_http_major] %[srv_name,nbsrv]\"\n")
	b.WriteString("    http-response set-header x-p \"%[bc_src_port]\"\n")
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
	wr, err1 := difftest.ParseAll(want)
	gr, err2 := difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != 3 || len(gr) != 3 {
		t.Fatalf("rates: %v %v\n%q\n%q", err1, err2, want, got)
	}
	if time.Since(start) < 700*time.Millisecond {
		for i := 1; i < 3; i++ {
			if wr[i].Body != gr[i].Body {
				t.Errorf("rates %v\nhaproxy: %q\ngoha:    %q", proxyRateExprs, wr[i].Body, gr[i].Body)
			}
		}
	} else {
		t.Logf("rates not compared: %v after the start", time.Since(start))
	}
	t.Logf("rates %v: %q %q", proxyRateExprs, wr[1].Body, wr[2].Body)
	for _, r := range gr[1:] {
		for _, f := range strings.Fields(r.Body) {
			if _, err := strconv.Atoi(f); err != nil || len(strings.Fields(r.Body)) != len(proxyRateExprs) {
				t.Errorf("rates: %q is not %d integers", r.Body, len(proxyRateExprs))
			}
		}
	}

	// The figures are live: a connection the previous request closed may
	// still count for a moment on either side, so a difference is read
	// again, for up to 2 s (a loaded machine handles a close late),
	// before it counts.
	settled := func(raw string, same func(want, got []byte) bool) (want, got []byte) {
		for deadline := time.Now().Add(2 * time.Second); ; {
			want, _ = exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
			got, _ = exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
			if same(want, got) || time.Now().After(deadline) {
				return want, got
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for i, e := range proxyFetchExprs {
		raw := fmt.Sprintf("GET /p%d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", i)
		want, got := settled(raw, bytes.Equal)
		if testing.Verbose() {
			t.Logf("%s: %q", e, body(want))
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s\nhaproxy: %q\ngoha:    %q", e, body(want), body(got))
		}
	}
	raw = "GET /srv HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	header := func(resp []byte, name string) string {
		r, err := difftest.ParseAll(resp)
		if err != nil || len(r) != 1 {
			return ""
		}
		return r[0].Headers[name]
	}
	want, got = settled(raw, func(w, g []byte) bool { return header(w, "x-r") == header(g, "x-r") })
	wr, err1 = difftest.ParseAll(want)
	gr, err2 = difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != 1 || len(gr) != 1 {
		t.Fatalf("responses: %v %v\n%q\n%q", err1, err2, want, got)
	}
	t.Logf("x-r: %q", wr[0].Headers["x-r"])
	for _, h := range []string{"x-r", "x-s"} {
		if w, g := wr[0].Headers[h], gr[0].Headers[h]; w != g || w == "" {
			t.Errorf("%s: haproxy %q, goha %q", h, w, g)
		}
	}
	t.Logf("x-s: %q", wr[0].Headers["x-s"])
	// The server connection's source port is the kernel's pick: an
	// ephemeral port on both sides.
	for _, p := range []string{wr[0].Headers["x-p"], gr[0].Headers["x-p"]} {
		if n, err := strconv.Atoi(p); err != nil || n < 1024 || n > 65535 {
			t.Errorf("bc_src_port %q", p)
		}
	}
}

// TestServerFetchPlaceRefused: srv_name/srv_id need the server and the
// bc_* fetches the connection to it, which http-request rules do not
// have yet: refused with HAProxy 2.6's message; http-response rules
// and log-format lines have them.
func TestServerFetchPlaceRefused(t *testing.T) {
	head := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"
	for _, c := range []struct{ rules, want string }{
		{"listen f\n bind 127.0.0.1:8080\n http-request set-header x %[srv_name]\n server s 127.0.0.1:1\n",
			"sample fetch <srv_name]> may not be reliably used here because it needs 'server' which is not available here."},
		{"listen f\n bind 127.0.0.1:8080\n http-request set-header x %[bc_http_major]\n server s 127.0.0.1:1\n",
			"sample fetch <bc_http_major]> may not be reliably used here because it needs 'server address' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n http-request deny if { srv_id 1 }\n default_backend b\n",
			"sample fetch <srv_id]> may not be reliably used here because it needs 'server' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n http-response set-header x %[srv_name]-%[bc_src]-%[bc_dst_port]\n default_backend b\n", ""},
	} {
		n := notices(buildText(t, head+c.rules+"backend b\n server s 127.0.0.1:1\n"))
		switch {
		case c.want == "" && len(n) != 0:
			t.Errorf("%s: refused: %q", c.rules, n)
		case c.want != "" && (len(n) != 1 || !strings.Contains(n[0], c.want)):
			t.Errorf("%s: notices %q, want %q", c.rules, n, c.want)
		}
	}
}
