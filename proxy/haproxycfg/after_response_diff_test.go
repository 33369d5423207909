package haproxycfg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// afterResponseCfg exercises http-after-response on the server's response
// (after the http-response rules and the persistence cookie) and on the
// pages the proxy makes: deny, a reply, a redirect, the 503 of a backend
// without server, the monitor URI; a backend's rules run first.
const afterResponseCfg = httplogFrontend + `    monitor-uri /mon
    http-request set-var(txn.p) path
    http-request set-var(req.q) str(reqvar)
    http-request deny if { path /d }
    http-request deny deny_status 403 if { path /d403 }
    http-request return status 200 content-type text/plain string ok hdr x-r 1 if { path /ret }
    http-request redirect location /new code 302 if { path /redir }
    http-response set-header x-resp 1
    http-response set-var(res.r) str(rv)
    http-after-response set-header x-after %[status]
    http-after-response add-header x-order fe
    http-after-response add-header x-var "%[var(txn.p)]-%[var(res.r)]-%[var(req.q)]"
    http-after-response del-header x-resp if { var(txn.p) -m str /delresp }
    http-after-response replace-header content-type (.*)/(.*) \2-\1 if { var(txn.p) -m str /rh }
    http-after-response replace-value cache-control no-(.*) yes-\1
    http-after-response set-status 418 if { var(txn.p) -m str /teapot }
    http-after-response set-status 299 reason "Fine" if { status 403 }
    http-after-response allow if { var(txn.p) -m str /allow }
    http-after-response set-header x-last 1
    http-after-response set-var-fmt(txn.f) "f-%[status]-%[res.hdr(x-after)]"
    http-after-response set-header x-f %[var(txn.f)]
    http-after-response unset-var(txn.f)
    http-after-response set-header x-g "[%[var(txn.f)]]"
    http-after-response set-var(txn.s) status,add(1)
    http-after-response set-header x-s "%[var(txn.s)]"
    http-after-response del-header set-cookie if { var(txn.p) -m str /nocookie }
    use_backend empty if { path /dead }
    default_backend be
backend be
    cookie SRV insert indirect
    http-after-response set-header x-order be
    http-after-response allow if { var(txn.p) -m str /beallow }
    http-after-response add-header x-order be2
    server s1 REC cookie c1
backend empty
    retries 0
    http-after-response set-status 500 reason "Dead" if { status 503 }
    server s1 127.0.0.1:1
`

// TestAfterResponseDifferential: http-after-response set-header,
// add-header, del-header, replace-header, replace-value, set-status (with
// and without a reason, on server responses and on the proxy's own pages),
// allow, set-var-fmt and unset-var, beside HAProxy 2.6: the bytes the
// client receives on kept-alive, closing and HTTP/1.0 connections, what
// the recording backend received (echoed in the second response), and
// the log lines.
func TestAfterResponseDifferential(t *testing.T) {
	t.Parallel()
	rec := startHeadRecorder(t)
	cfg := strings.ReplaceAll(afterResponseCfg, "REC", rec)
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	paths := []string{"/", "/d", "/d403", "/ret", "/redir", "/dead", "/mon", "/delresp", "/rh", "/teapot",
		"/allow", "/nocookie", "/beallow"}
	// The log lines, one closing connection at a time (the monitor URI is
	// not logged).
	for _, p := range paths {
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
		if p == "/d403" && !bytes.Contains(want, []byte("HTTP/1.1 299 Fine\r\n")) {
			t.Fatalf("haproxy answered %q", want) // the test would compare nothing
		}
		if p == "/mon" {
			continue
		}
		sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
	}
	// The bytes of kept-alive and HTTP/1.0 connections, in parallel.
	var conns []string
	for _, p := range paths {
		conns = append(conns,
			"GET "+p+" HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\nX-Prev: "+p+"\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\n\r\n")
	}
	compareConns(t, ha, goha, conns)
}

// TestAfterResponseRefused: what goha does not run of http-after-response
// is reported, never dropped; the rules HAProxy ignores in TCP mode are
// warned about as it does.
func TestAfterResponseRefused(t *testing.T) {
	for _, tc := range []struct{ mode, section, rule, want string }{
		{"http", "frontend", "http-after-response set-header x 1", ""},
		{"http", "frontend", "http-after-response capture res.hdr(x) id 0", "capture"},
		{"http", "frontend", "http-after-response strict-mode on", ""},
		{"http", "backend", "http-after-response capture res.hdr(x) id 0", ""},
		{"http", "backend", "http-after-response capture res.hdr(x) len 2", "http-after-response capture [res.hdr(x) len 2]"},
		{"http", "backend", "http-after-response set-header x 1", ""},
		{"http", "backend", "http-after-response set-header x 1\n    stats uri /st", ""},
		{"http", "frontend", "http-after-response set-header x 1\n    stats uri /st", ""},
		{"tcp", "frontend", "http-after-response set-header x 1", "'http-after-response' rules ignored for frontend 'fe' as they require HTTP mode."},
	} {
		fe, be := "", ""
		if tc.section == "frontend" {
			fe = "    " + tc.rule + "\n"
		} else {
			be = "    " + tc.rule + "\n"
		}
		cfg := quickDefaults(tc.mode) +
			"frontend fe\n    bind 127.0.0.1:8080\n" + fe + "    default_backend be\nbackend be\n" + be + "    server s 127.0.0.1:9\n"
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) {
			t.Errorf("%s: notices %q, want %q", tc.rule, got, tc.want)
		}
	}
}
