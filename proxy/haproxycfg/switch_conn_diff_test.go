package haproxycfg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/proxy"
)

// mixedCase is one connection of the per-connection upgrade tests: what
// the client sends and how many lines it logs.
type mixedCase struct {
	raw   string
	lines int
}

// sameMixedExchanges sends each case to HAProxy, then to goha, and
// compares the client's bytes and end, the bytes the http backend's
// recorder got, and the log lines.
func sameMixedExchanges(t *testing.T, ha, goha string, haLog, goLog chan string, web *recorder, cases []mixedCase) {
	t.Helper()
	sameMixedExchangesFrom(t, "", 400*time.Millisecond, ha, goha, haLog, goLog, web, cases)
}

// sameMixedExchangesFrom is sameMixedExchanges from the source address
// src ("": any), each client waiting wait for the answer.
func sameMixedExchangesFrom(t *testing.T, src string, wait time.Duration, ha, goha string, haLog, goLog chan string, rec *recorder, cases []mixedCase) {
	t.Helper()
	for _, c := range cases {
		label := fmt.Sprintf("%.60q", c.raw)
		if src != "" {
			label = fmt.Sprintf("from %s: %.40q", src, c.raw)
		}
		var got, seen [2][]byte
		var ends [2]string
		for i, addr := range []string{ha, goha} {
			rec.reset(nil, false)
			got[i], ends[i] = exchangeFrom(t, src, addr, c.raw, wait)
			seen[i] = rec.bytes()
		}
		compareAnswers(t, label, got[0], got[1], ends[0], ends[1])
		if !bytes.Equal(seen[0], seen[1]) {
			t.Errorf("%s: the recorded backend got\nhaproxy: %q\ngoha:    %q", label, seen[0], seen[1])
		}
		sameLogLines(t, label, haLog, goLog, c.lines)
	}
}

// getReq is a one-line HTTP/1.1 GET of path.
func getReq(path string) string { return "GET " + path + " HTTP/1.1\r\nhost: x\r\n\r\n" }

// mixedFrontend is the tcp frontend fe of the per-connection upgrade
// tests (tcplog, bound on BIND) with rules, then backends.
func mixedFrontend(rules string, backends ...string) string {
	return upgradeHead + "frontend fe\n    mode tcp\n    option tcplog\n    bind BIND\n" + rules + strings.Join(backends, "")
}

// webBackend is the http backend web on rec; rawBackend the tcp backend
// raw on an echo that prefixes "raw".
func webBackend(rec *recorder) string {
	return "backend web\n    mode http\n    server s1 " + rec.ln.Addr().String() + "\n"
}

func rawBackend(t *testing.T) string {
	return "backend raw\n    mode tcp\n    server s1 " + prefixEcho(t, "raw") + "\n"
}

// mixedStatsSince keeps px's counters now; the func it returns compares
// the show stat cells mixedStatCols names, moved since before on sock.
func mixedStatsSince(t *testing.T, px *proxy.Proxy, sock, before string) func() {
	fe0, be0 := px.Frontends()[0].Stats, backendStats(px)
	return func() {
		t.Helper()
		after := haproxytest.StatsCmd(t, sock, "show stat")
		sameStatDeltas(t, before, after, mixedStatCols(px, fe0, be0), nil, false)
	}
}

// mixedStatCols are the show stat cells the per-connection upgrade tests
// compare: the frontend's sessions, requests and request errors, each
// backend's sessions, current sessions (an HTTP request sent to the tcp
// backend stays counted there) and bytes.
func mixedStatCols(px *proxy.Proxy, fe0 proxy.Stats, be0 []proxy.Stats) []statCounter {
	fe := px.Frontends()[0]
	out := statCols(fe.Name+"/FRONTEND", statsSince(fe.Stats, fe0), "stot", "req_tot", "ereq")
	for i, b := range px.Backends() {
		row := b.Name + "/BACKEND"
		out = append(out, statCounter{row, "stot", b.Stats.Sessions - be0[i].Sessions},
			statCounter{row, "scur", b.Stats.CurSessions - be0[i].CurSessions},
			statCounter{row, "bin", b.Stats.BytesIn - be0[i].BytesIn},
			statCounter{row, "bout", b.Stats.BytesOut - be0[i].BytesOut})
	}
	return out
}

func backendStats(px *proxy.Proxy) []proxy.Stats {
	var out []proxy.Stats
	for _, b := range px.Backends() {
		out = append(out, b.Stats)
	}
	return out
}

// TestTCPFrontendMixedBackendsDifferential: a tcp frontend whose
// switching rules choose, per connection, a tcp backend (the bytes go
// raw, one tcplog line) or an http one (the connection is upgraded to
// HTTP there: keep-alive, the frontend's http-request and http-response
// rules, no X-Forwarded-For, a 400 for a later request that is not
// HTTP, an HTTP/2 preface served as HTTP/2; its first request is not
// switched again, its next ones are, on the HTTP message: one sent to
// the tcp backend is closed unanswered, logged IR and left counted in
// that backend's scur), beside HAProxy 2.6.12: the client's bytes, the
// http backend's, the log lines and show stat's cells.
func TestTCPFrontendMixedBackendsDifferential(t *testing.T) {
	t.Parallel()
	web := startRecorder(t)
	cfg := mixedFrontend(`    tcp-request inspect-delay 1s
    tcp-request content accept if HTTP
    http-request set-var(txn.raw) int(1) if { path /raw }
    http-request set-header x-fe mixed
    http-response set-header x-rfe mixed
    option forwardfor
    use_backend raw if { var(txn.raw) -m found }
    use_backend web if HTTP
    default_backend raw
`, webBackend(web), rawBackend(t))
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	sameStats := mixedStatsSince(t, px, sock, before)
	sameMixedExchanges(t, ha, goha, haLog, goLog, web, []mixedCase{
		{getReq("/a") + getReq("/b"), 2},
		{"hello raw\r\n", 1},
		{"HELLO garbage\r\n\r\n", 1},
		{getReq("/raw"), 1}, // switched on the raw bytes: web
		{getReq("/a") + getReq("/raw"), 2},
		{getReq("/a") + "HELLO garbage\r\n\r\n", 2},
	})
	sameH2Exchange(t, ha, goha, haLog, goLog, []*recorder{web}, "/a", "/b")
	sameStats()
}

// TestTCPFrontendMixedImplicitDifferential: a tcp frontend upgraded per
// connection with no inspect delay: its content rules run on the TCP
// stream at the connection's start (a txn variable they set reaches the
// first request's http-request rules; they run again on each later
// request), its http backend upgrades the connection before a byte is
// read, a first request that is not HTTP gets the 400 page, one that
// never comes whole the 408 (logged PR, counted twice in ereq and as a
// session of the backend), and a connection from the source its
// use_backend rule names goes to that backend: a tcp one keeps it a tcp
// stream, an http one upgrades it (a conditional use_backend in a
// frontend reaching http backends only), beside HAProxy 2.6.12: client
// bytes, the http backends' bytes, log lines and show stat's cells.
func TestTCPFrontendMixedImplicitDifferential(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"tcp", "http"} {
		t.Run(mode, func(t *testing.T) {
			web, other := startRecorder(t), startRecorder(t)
			addr := other.ln.Addr().String()
			if mode == "tcp" {
				addr = prefixEcho(t, "raw")
			}
			mixedImplicitDifferential(t, mode, web, other, addr)
		})
	}
}

func mixedImplicitDifferential(t *testing.T, mode string, web, other *recorder, otherAddr string) {
	cfg := mixedFrontend(`    tcp-request content set-var(txn.t) str(tcp) unless { var(sess.again) -m found }
    tcp-request content set-var(txn.t) str(again) if { var(sess.again) -m found }
    tcp-request content set-var(sess.again) int(1)
    http-request set-header x-t %[var(txn.t)]
    use_backend other if { src 127.0.0.2 }
    default_backend web
`, webBackend(web), "backend other\n    mode "+mode+"\n    server s1 "+otherAddr+"\n")
	cases := []switchCase{
		{upgradeGet + getReq("/b"), 300 * time.Millisecond, 2},
		{"HELLO garbage\r\n\r\n", 300 * time.Millisecond, 1},
		{"GET / HT", 2 * time.Second, 1}, // timeout client: 408, PR
	}
	upgradeRounds(t, func() bool {
		ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
		sameStats := mixedStatsSince(t, px, sock, before)
		if upgradeExchangesRaced(t, ha, goha, haLog, goLog, []*recorder{web, other}, cases) {
			return true
		}
		two := mixedCase{upgradeGet, 1} // under the 32 bytes prefixEcho reads (more: its close resets)
		if mode == "http" {
			two = mixedCase{upgradeGet + getReq("/b"), 2}
		}
		sameMixedExchangesFrom(t, "127.0.0.2", 300*time.Millisecond, ha, goha, haLog, goLog, other,
			[]mixedCase{two, {"HELLO garbage\r\n\r\n", 1}})
		sameStats()
		return false
	})
}

// TestTCPFrontendDynamicBackendDifferential: a dynamic use_backend in a
// tcp frontend whose configuration has http backends, resolved per
// connection: on the raw bytes for the first request (a tcp backend
// keeps the tcp stream, an http one upgrades it), on each later
// request's HTTP message (a tcp backend there closes it unanswered, IR;
// a name no backend has goes to the default backend); and in a
// frontend switched to HTTP by an unconditional switch-mode, on every
// request's HTTP message. Beside HAProxy 2.6.12: client bytes, the http
// backend's bytes, log lines and show stat's cells.
func TestTCPFrontendDynamicBackendDifferential(t *testing.T) {
	t.Parallel()
	for _, sw := range []string{"", "    tcp-request content switch-mode http\n"} {
		name := "per-connection"
		if sw != "" {
			name = "switch-mode"
		}
		t.Run(name, func(t *testing.T) {
			web := startRecorder(t)
			cfg := mixedFrontend(`    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.be) str(web) if HTTP
    tcp-request content set-var(txn.be) str(raw) if !HTTP
`+sw+`    http-request set-var(txn.be) str(raw) if { path /raw }
    http-request set-var(txn.be) str(nope) if { path /nope }
    http-request set-header x-be %[var(txn.be)]
    use_backend %[var(txn.be)]
    default_backend web
`, webBackend(web), rawBackend(t))
			ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
			sameStats := mixedStatsSince(t, px, sock, before)
			cases := []mixedCase{
				{getReq("/a") + getReq("/b"), 2},
				{getReq("/raw"), 1},
				{getReq("/a") + getReq("/raw"), 2},
				{getReq("/nope") + getReq("/a"), 2},
			}
			if sw == "" {
				cases = append(cases, mixedCase{"hello raw\r\n", 1}, mixedCase{"HELLO garbage\r\n\r\n", 1})
			}
			sameMixedExchanges(t, ha, goha, haLog, goLog, web, cases)
			sameStats()
		})
	}
}

// TestConditionalSwitchModeDifferential: `tcp-request content
// switch-mode http if <cond>`: a connection whose condition holds
// becomes HTTP at that rule (the content rules after it do not run, its
// switching rules see the HTTP request: one choosing the tcp backend
// closes it, IR), one whose condition fails stays a tcp stream (to the
// tcp backend, bytes raw), or is upgraded by the http backend its
// switching rules chose on the raw bytes (from 127.0.0.2: its first
// request is not switched again). With proto h1 a switched connection's
// HTTP/2 preface gets the 400 page (the HTTP/2 upgrade is off for it).
// Beside HAProxy 2.6.12: the client's bytes, the http backend's, the log
// lines and show stat's cells.
func TestConditionalSwitchModeDifferential(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{"", "proto h1 "} {
		name := strings.TrimSpace(proto)
		if name == "" {
			name = "default"
		}
		t.Run(strings.ReplaceAll(name, " ", "-"), func(t *testing.T) { conditionalSwitchDifferential(t, proto) })
	}
}

func conditionalSwitchDifferential(t *testing.T, proto string) {
	web := startRecorder(t)
	cfg := mixedFrontend(`    tcp-request inspect-delay 1s
    tcp-request content switch-mode http `+proto+`if HTTP !{ src 127.0.0.2 }
    tcp-request content set-var(txn.after) str(yes)
    http-request set-header x-after %[var(txn.after)]
    http-request set-var(txn.raw) int(1) if { path /raw }
    option forwardfor
    use_backend raw if { var(txn.raw) -m found }
    use_backend raw if !HTTP
    default_backend web
`, webBackend(web), rawBackend(t))
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	sameStats := mixedStatsSince(t, px, sock, before)
	sameMixedExchanges(t, ha, goha, haLog, goLog, web, []mixedCase{
		{getReq("/a") + getReq("/b"), 2},
		{getReq("/raw"), 1},
		{getReq("/a") + getReq("/raw"), 2},
		{"hello raw\r\n", 1},
		{"HELLO garbage\r\n\r\n", 1},
		{getReq("/a") + "HELLO garbage\r\n\r\n", 2},
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", strings.Count(proto, "h1")}, // (HTTP/2: logged per stream)
	})
	sameMixedExchangesFrom(t, "127.0.0.2", 400*time.Millisecond, ha, goha, haLog, goLog, web,
		[]mixedCase{{getReq("/raw") + getReq("/b"), 2}, {getReq("/a") + getReq("/raw"), 2}})
	sameStats()
}

// TestSwitchModeAfterPayloadRulesDifferential: the content rules before
// an unconditional switch-mode read the connection's bytes under the
// inspect delay (here req.proto_http), on the TCP stream, before the
// switch; the next requests' HTTP streams run them on the HTTP message.
// Beside HAProxy 2.6.12: the client's bytes, the backend's (the
// variable they set), the log lines.
func TestSwitchModeAfterPayloadRulesDifferential(t *testing.T) {
	t.Parallel()
	web := startRecorder(t)
	cfg := mixedFrontend(`    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.h) str(yes) if HTTP
    tcp-request content switch-mode http
    http-request set-header x-h %[var(txn.h)]
    default_backend web
`, webBackend(web))
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	sameMixedExchanges(t, ha, goha, haLog, goLog, web, []mixedCase{
		{getReq("/a") + getReq("/b"), 2},
		{"HELLO garbage\r\n\r\n", 1},
	})
}

// TestTCPFrontendMixedLogASAPDifferential: a tcp frontend upgraded per
// connection whose log-format has no tag that waits for the end (a tcp
// stream is logged once its server connection is up): an upgraded
// connection's request lines hold what its http-response rules set
// (measured on HAProxy 2.6.12: "web/s1 v=res"), beside HAProxy: the
// client's bytes, the http backend's and the log lines.
func TestTCPFrontendMixedLogASAPDifferential(t *testing.T) {
	web := startRecorder(t)
	cfg := upgradeHead + `frontend fe
    mode tcp
    log-format "%b/%s v=%[var(txn.v)]"
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content accept if HTTP
    http-request set-var(txn.v) str(req)
    http-response set-var(txn.v) str(res)
    use_backend web if HTTP
    default_backend raw
` + webBackend(web) + rawBackend(t)
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	sameMixedExchanges(t, ha, goha, haLog, goLog, web, []mixedCase{
		{getReq("/a") + getReq("/b"), 2},
		{"hello raw\r\n", 1},
	})
}
