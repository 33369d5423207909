package haproxycfg

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// backendRulesCfg pairs a frontend's rules with a backend's: header rules
// on both sides (the order the server sees), a frontend's variable and
// be_name read in the backend, set-path, deny (with the backend's
// errorfile, and a status of its own), allow, return, redirect, auth, a
// legacy redirect line, and http-response rules on both sides (the order
// the client sees, allow and deny in the backend's).
const backendRulesCfg = httplogFrontend + `    errorfile 401 ERR401
    unique-id-format uid-%[var(txn.be)]
    unique-id-header x-uid
    http-request set-var(txn.fe) str(fevar)
    http-request set-var(txn.p) path
    http-request add-header x-order fe
    http-request deny if { path /fdeny }
    timeout tarpit 200ms
    http-request tarpit if { path /ftarpit }
    http-response add-header x-rorder fe
    http-response set-header x-fe-res %[var(txn.p)]
    use_backend other if { path_beg /other }
    default_backend be
backend be
    errorfile 403 ERRFILE
    tcp-request content set-var(txn.tc) str(tcvar)
    tcp-request content reject if { path /tcrej }
    tcp-request content accept if { path /tcacc }
    http-request reject if { path /brej }
    tcp-request content set-var(txn.tc2) str(after)
    timeout tarpit 200ms
    http-request add-header x-order be
    http-request set-header x-proto https
    http-request set-header x-fevar %[var(txn.fe)]
    http-request set-header x-tc %[var(txn.tc)]-%[var(txn.tc2)]
    http-request set-header x-be %[be_name]
    http-request set-path /rewritten%[path] if { path_beg /sp }
    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path /deny429 }
    http-request allow if { path /allow }
    http-request set-header x-after-allow 1
    http-request return status 200 content-type text/plain string bereturn hdr x-r 1 if { path /ret }
    http-request redirect location /moved code 301 if { path /redir }
    http-request auth realm bereal if { path /auth }
    http-request tarpit deny_status 404 if { path /tarpit }
    http-request set-var(txn.be) str(bevar)
    http-request del-header x-drop
    http-request set-log-level err if { path /ll }
    http-request set-var-fmt(txn.fmt) "f-%[path]"
    http-request set-header x-fmt %[var(txn.fmt)]
    http-request del-header x-uid
    redirect scheme https if { path /scheme }
    http-response add-header x-rorder be
    http-response set-header x-be-res %[var(txn.be)]
    http-response allow if { var(txn.p) -m str /rallow }
    http-response add-header x-rorder be2
    http-response deny if { var(txn.p) -m str /rdeny }
    http-response return status 202 content-type text/plain string beres if { var(txn.p) -m str /rret }
    http-response redirect location /rr%[status] code 302 if { var(txn.p) -m str /rredir }
    server s1 REC
backend other
    option http-restrict-req-hdr-names reject
    http-request add-header x-order other
    http-response add-header x-rorder other
    server s1 REC
`

// backendRulesConfig is backendRulesCfg with its error pages written in
// dir (the backend's 403, the frontend's 401, which a backend's auth
// answers with) and a recording server.
func backendRulesConfig(t *testing.T, dir string) string {
	pages := map[string]string{
		"ERRFILE": "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nbe403\n",
		"ERR401":  "HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nfe401\n",
	}
	repl := []string{"REC", startHeadRecorder(t)}
	for k, page := range pages {
		f := filepath.Join(dir, k+".http")
		if err := os.WriteFile(f, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		repl = append(repl, k, f)
	}
	return strings.NewReplacer(repl...).Replace(backendRulesCfg)
}

// TestBackendRulesDifferential: a backend's http-request rules and
// redirect lines run after the frontend's and the switching rules, its
// http-response rules before the frontend's, beside HAProxy 2.6.12: the
// bytes the client receives (the recording server echoes the request head
// it got), the log lines, and the frontend's and backends' show stat
// counters (dreq, dresp, responses by class).
func TestBackendRulesDifferential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := backendRulesConfig(t, dir)
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	paths := []string{"/", "/fdeny", "/sp/x?q=1", "/deny", "/deny429", "/allow", "/ret", "/redir", "/auth",
		"/tarpit", "/ftarpit", "/ll", "/tcrej", "/tcacc", "/brej", "/scheme", "/rallow", "/rdeny", "/rret", "/rredir", "/other"}
	for _, p := range paths {
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nX-Drop: 1\r\nConnection: close\r\n\r\n"
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, tarpitIdle(raw))
		switch p {
		case "/deny":
			if !strings.Contains(string(want), "be403") {
				t.Errorf("haproxy answered %q: not the backend's errorfile", want)
			}
		case "/":
			if !strings.Contains(string(want), "x-order: fe\r\nx-order: be\r\n") {
				t.Errorf("haproxy answered %q: not both header rules in order", want)
			}
		}
		sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
	}
	// The backend's header name policy denies after its rules: counted
	// in both proxies as a backend's deny.
	bad := "GET /other HTTP/1.1\r\nHost: h\r\nX_Bad: 1\r\nConnection: close\r\n\r\n"
	sameAnswer(t, fmt.Sprintf("%q", bad), ha, goha, bad, 300*time.Millisecond)
	sameLogLines(t, fmt.Sprintf("%q", bad), haLog, goLog, 1)
	var fe, be, other = px.Frontends()[0].Stats, px.Backends()[0].Stats, px.Backends()[1].Stats
	counters := statCols("fe/FRONTEND", fe, "dreq", "dresp", "req_tot", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx")
	counters = append(counters, statCols("be/BACKEND", be, "dreq", "dresp", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx")...)
	counters = append(counters, statCols("other/BACKEND", other, "dreq", "hrsp_2xx", "hrsp_4xx")...)
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), counters, nil, false)
	// Kept-alive, HTTP/1.0 and pipelined connections, in parallel.
	var conns []string
	for _, p := range paths {
		conns = append(conns,
			"GET "+p+" HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\nX-Prev: "+p+"\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\n\r\n")
	}
	compareConnsIdle(t, ha, goha, conns, tarpitIdle)
}

// tarpitIdle is how long the backend rule tests wait for more of an
// answer: 300 ms, or 1 s for a tarpitted request (its 200 ms tarpit
// leaves too small a margin on a loaded machine: HAProxy once had not
// answered /ftarpit in 300 ms).
func tarpitIdle(raw string) time.Duration {
	if strings.Contains(raw, "tarpit") {
		return time.Second
	}
	return 300 * time.Millisecond
}

// TestBackendRulesH2Differential: the same pairs of rules for an HTTP/2
// client (clear text, prior knowledge), beside HAProxy 2.6.12: status,
// the headers the rules touch, the body (the server's echo of the request
// head it got) and the log lines.
func TestBackendRulesH2Differential(t *testing.T) {
	cfg := strings.Replace(backendRulesConfig(t, t.TempDir()), "bind BIND\n", "bind BIND proto h2\n", 1)
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	haC, goC := h2Client(t, testPKI{}, ha, false), h2Client(t, testPKI{}, goha, false)
	for _, c := range []*http.Client{haC, goC} {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	get := func(c *http.Client, addr, path string) string {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("X-Drop", "1")
		resp, err := c.Do(req)
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), addr, "ADDR")
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		out := fmt.Sprintf("%d\n", resp.StatusCode)
		for _, h := range []string{"X-Rorder", "X-Be-Res", "X-Fe-Res", "Location", "Www-Authenticate", "Content-Type", "X-R"} {
			out += fmt.Sprintf("%s: %q\n", h, resp.Header.Values(h))
		}
		// The server's echo and a location name the proxy's address.
		return strings.ReplaceAll(out+string(body), addr, "ADDR")
	}
	for _, p := range []string{"/", "/fdeny", "/sp/x?q=1", "/deny", "/deny429", "/allow", "/ret", "/redir", "/auth",
		"/scheme", "/tarpit", "/ftarpit", "/ll", "/tcrej", "/tcacc", "/brej", "/rallow", "/rdeny", "/rret", "/rredir", "/other"} {
		want, got := get(haC, ha, p), get(goC, goha, p)
		if want != got {
			t.Errorf("%s:\nhaproxy:\n%s\ngoha:\n%s", p, want, got)
		}
		if p == "/" && !strings.Contains(want, "x-order: fe\r\nx-order: be\r\n") {
			t.Errorf("haproxy's server saw %q: not both header rules in order", want)
		}
		logs := 1
		if p == "/tcrej" || p == "/brej" {
			// The reject ends the whole connection: the next request
			// dials again.
			if w, g := dialsAfter(t, ha, p), dialsAfter(t, goha, p); w != g || w != 2 {
				t.Errorf("%s: dials for the next request: haproxy %d, goha %d", p, w, g)
			}
			logs += 2 // dialsAfter's two requests
		}
		for range logs {
			// The log's target names the proxy's address too.
			w := strings.ReplaceAll(nextLine(t, haLog, "haproxy"), ha, "ADDR")
			g := strings.ReplaceAll(nextLine(t, goLog, "goha"), goha, "ADDR")
			if w != g {
				t.Errorf("%s: log\nhaproxy: %s\ngoha:    %s", p, w, g)
			}
		}
	}
}

// listenRulesCfg is a listen section with rules on both sides, reached
// directly and, through a frontend, as that frontend's backend... which
// goha refuses (TestBackendRulesRefused); here it is reached directly:
// its rules run once.
const listenRulesCfg = httpLogHead + `listen li
    bind BIND
    http-request add-header x-order li
    http-request deny if { path /deny }
    redirect location /moved if { path /redir }
    http-response add-header x-rorder li
    server s1 REC
`

// TestListenRulesRunOnceDifferential: a listen section's http-request,
// redirect and http-response rules run once (its frontend half's), beside
// HAProxy 2.6.12: the client's bytes (the server echoes the head it got),
// the log lines.
func TestListenRulesRunOnceDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	ha, goha, haLog, goLog := startBothLogged(t, strings.ReplaceAll(listenRulesCfg, "REC", rec))
	for _, p := range []string{"/", "/deny", "/redir"} {
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
		if p == "/" && (strings.Count(string(want), "x-order: li") != 1 || strings.Count(string(want), "x-rorder: li") != 1) {
			t.Errorf("haproxy answered %q: not one run of each list", want)
		}
		sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
	}
}

// TestBackendRulesRefused: what goha does not run of a backend's rules is
// refused with the line, never dropped.
func TestBackendRulesRefused(t *testing.T) {
	for _, tc := range []struct{ fe, be, want string }{
		{"", "http-request set-header x 1", ""},
		{"", "http-request capture req.hdr(x) len 10", "len 10 in a backend, which has no capture slots of its own (HAProxy refuses it too)"},
		{"", "http-request capture req.hdr(x) id 0", ""},
		{"", "http-request track-sc0 src\n    stick-table type ip size 10", ""},
		{"", "http-request use-service prometheus-exporter", ""},
		{"", "http-request use-service prometheus-exporter\n    http-response replace-header x a b", ""},
		{"", "http-request use-service prometheus-exporter\n    http-response replace-header Transfer-Encoding a b", "http-request use-service in a backend whose replies would go through http-response replace-header"},
		{"    http-response set-log-level err\n", "http-request use-service prometheus-exporter", ""},
		{"    http-response silent-drop\n", "http-request use-service prometheus-exporter", ""}, // TestPromexSilentDropMatchesHAProxy
		{"    http-response wait-for-body time 1s\n", "http-request use-service prometheus-exporter", "http-request use-service in a backend whose replies would go through http-response wait-for-body"},
		{"    http-response sc-inc-gpc0(0)\n", "http-request use-service prometheus-exporter", "http-request use-service in a backend whose replies would go through http-response sc-inc-gpc0(0)"},
		{"", "http-response set-header x 1\n    stats uri /st", ""},
		{"", "http-response set-header x 1\n    stats uri /st\n    http-request set-header y 1", ""},
		{"", "http-request set-header y 1\n    stats uri /st", ""},
		{"", "tcp-request content reject", ""},
		{"", "tcp-request content track-sc0 src\n    stick-table type ip size 10", ""},
		{"", "tcp-request content set-dst ipv4(127.0.0.1)", ""},
		{"", "tcp-request content capture req.hdr(x) len 10", "tcp-request content capture: capture req.hdr(x) len 10 in a backend, which has no capture slots"},
		{"", "tcp-request content switch-mode http", "backend 'be' has no frontend capability"},
		{"", "http-request wait-for-body time 1s", ""},
		{"", "http-response cache-store c", "http-response cache-store arguments"}, // no cache c (TestCacheInBackendRefused)
		{"    use_backend li if { path /li }\n", "", "use_backend to a listen section"},
	} {
		cfg := quickDefaults("http") +
			"frontend fe\n    bind 127.0.0.1:8080\n" + tc.fe + "    default_backend be\nbackend be\n    " + tc.be + "\n    server s 127.0.0.1:9\n" +
			"listen li\n    bind 127.0.0.1:8081\n    http-request set-header x 1\n    server s 127.0.0.1:9\n"
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) {
			t.Errorf("%s%s: notices %q, want %q", tc.fe, tc.be, got, tc.want)
		}
	}
}

// defaultsBackendRulesCfg: a backend starting from a named defaults
// section with http-request and http-response rules (the frontend starts
// from another one: HAProxy refuses rules in defaults shared by both).
const defaultsBackendRulesCfg = httplogFrontend + `    http-request add-header x-order fe
    http-request set-var(txn.p) path
    http-response add-header x-rorder fe
    default_backend be
defaults d1
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    http-request add-header x-order d1
    http-request allow if { path /dallow }
    http-request deny deny_status 429 if { path /ddeny }
    http-response add-header x-rorder d1
    http-response allow if { status 200 } { var(txn.p) -m str /rallow }
backend be from d1
    http-request add-header x-order be
    http-response add-header x-rorder be
    server s1 REC
`

// TestDefaultsBackendRulesDifferential: the rules of a named defaults
// section a backend starts from run before the backend's own, as one list
// (an allow there ends both), beside HAProxy 2.6.12: the client's bytes
// (the server echoes the head it got) and the log lines.
func TestDefaultsBackendRulesDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	ha, goha, haLog, goLog := startBothLogged(t, strings.ReplaceAll(defaultsBackendRulesCfg, "REC", rec))
	for _, p := range []string{"/", "/dallow", "/ddeny", "/rallow"} {
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
		if p == "/" && !strings.Contains(string(want), "x-order: fe\r\nx-order: d1\r\nx-order: be\r\n") {
			t.Errorf("haproxy answered %q: not the three lists in order", want)
		}
		sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
	}
}

// TestDefaultsBackendRulesRefused: the rules of a named defaults section
// a backend cannot run are refused on their line; a frontend starting
// from it keeps them all refused.
func TestDefaultsBackendRulesRefused(t *testing.T) {
	for _, tc := range []struct{ from, rule, want string }{
		{"backend be from d1", "http-request set-header x 1", ""},
		{"backend be from d1", "http-request auth", "'http-request auth in defaults 'd1' a backend starts from'"},
		{"backend be from d1", "http-request use-service prometheus-exporter", "'http-request use-service in defaults 'd1' a backend starts from'"},
		// HAProxy's alert (the parser's), after Build's notice
		{"backend be from d1\n    stick-table type ip size 10", "http-request track-sc0 src", "'http-request track-sc0: no table d1' parsed but not supported yet.\nconfig : Proxy 'd1': unable to find table 'd1' referenced by track-sc0."},
		{"backend be from d1\n    stick-table type ip size 10", "http-request track-sc0 src table be", ""},
		{"backend be from d1\n    mode tcp", "http-request set-header x 1", "in a defaults section a tcp backend starts from"},
		{"frontend f2 from d1\n    bind 127.0.0.1:8081\n    default_backend be\nbackend be from d0", "http-request set-header x 1", "'http-request set-header in a defaults section'"},
	} {
		cfg := "defaults d0\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
			"defaults d1\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n    " + tc.rule + "\n" +
			"frontend fe from d0\n    bind 127.0.0.1:8080\n    default_backend be\n" + tc.from + "\n    server s 127.0.0.1:9\n"
		if strings.Contains(tc.from, "mode tcp") {
			cfg = strings.Replace(cfg, "    default_backend be\n", "    mode tcp\n    default_backend be\n", 1)
		}
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) || strings.Count(got, "\n") > strings.Count(tc.want, "\n") {
			t.Errorf("%s / %s: notices %q, want %q only", tc.from, tc.rule, got, tc.want)
		}
	}
}

// dialsAfter sends rej then / on one HTTP/2 client to addr and returns
// how many connections it took.
func dialsAfter(t *testing.T, addr, rej string) int32 {
	var dials atomic.Int32
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p, DialContext: func(ctx context.Context, n, _ string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, n, addr)
	}}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for _, path := range []string{rej, "/"} {
		if resp, err := c.Get("http://" + addr + path); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return dials.Load()
}
