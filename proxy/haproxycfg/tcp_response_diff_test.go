package haproxycfg

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestTCPResponseRulesDifferential: tcp-response content reject, close,
// accept and the variable actions in tcp and http listen sections, beside
// HAProxy 2.6: what the client sees before and after sending a request
// (a reject or close in tcp mode ends the connection as soon as the
// server's is up; in http mode a reject closes unanswered and a close
// gets the 502 page), the log line and the counters (dresp, eresp, the
// status classes). A condition on request fetches never matches there.
func TestTCPResponseRulesDifferential(t *testing.T) {
	t.Parallel()
	web := webs3(t)[0]
	req := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, tc := range []struct{ name, mode, rules string }{
		{"tcp-reject", "tcp", "tcp-response content reject"},
		{"tcp-close", "tcp", "tcp-response content close"},
		{"tcp-accept", "tcp", "tcp-response content set-var(sess.a) src\n    tcp-response content accept if { var(sess.a) -m ip 127.0.0.1 }\n    tcp-response content reject"},
		{"tcp-unset", "tcp", "tcp-response content set-var(sess.a) src\n    tcp-response content unset-var(sess.a)\n    tcp-response content reject unless { var(sess.a) -m found }"},
		{"http-reject", "http", "http-request set-var(txn.p) path\n    tcp-response content reject if { var(txn.p) -m str / }"},
		{"http-close", "http", "tcp-response content close if { src 127.0.0.1 }"},
		// Request fetches never match there (HAProxy warns at -c).
		{"tcp-never", "tcp", "tcp-response content reject if { path / } || { req.len gt 0 }\n    tcp-response content reject unless { req.hdr(x) -m found }"},
		{"http-never", "http", "acl p path /\n    tcp-response content reject if p\n    tcp-response content close if { src 127.0.0.1 } { req.hdr(host) -m found }"},
		// A named ACL mixing them with other fetches matches on the
		// others (HAProxy warns that it "involves keyword 'path'").
		{"http-mixed", "http", "acl mix path /\n    acl mix src 127.0.0.1\n    acl nomix req.hdr(host) -m found\n    acl nomix be_id 99\n    tcp-response content close if nomix\n    tcp-response content reject if mix"},
		{"tcp-mixed", "tcp", "acl mix req.len gt 0\n    acl mix dst_port 1\n    tcp-response content reject unless mix"},
		{"http-accept", "http", "tcp-response content set-var-fmt(txn.f) \"f-%[src]\"\n    tcp-response content accept if { var(txn.f) -m beg f-127 }\n    tcp-response content reject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loggedHead + modeSection("listen", tc.mode, tc.rules, web)
			ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
			want, got := observeBoth(t, ha, goha, req)
			t.Logf("client: %s", want)
			if want != got {
				t.Errorf("client\nhaproxy: %s\ngoha:    %s", want, got)
			}
			if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
				t.Errorf("log\nhaproxy: %s\ngoha:    %s", w, g)
			}
			compareDropStats(t, base, haproxytest.StatsCmd(t, sock, "show stat"), px)
		})
	}
}

// TestTCPResponseRulesRefused: what goha does not run of tcp-response
// content is reported, never dropped.
func TestTCPResponseRulesRefused(t *testing.T) {
	for _, tc := range []struct{ rule, want, mode string }{
		{"tcp-response content reject", "", "tcp"},
		{"tcp-response content reject if { res.ssl_hello_type 1 }", "", "tcp"}, // runs (TestResSSLHelloTypeDifferential)
		{"tcp-response content reject if { res.len gt 0 }", "", "tcp"},
		// (an HTTP stream's res.len is HAProxy's HTX size)
		{"tcp-response content reject if { res.len gt 0 }", "on res.len in HTTP mode", "http"},
		{"tcp-response content set-log-level info", "", "tcp"}, // runs (TestTCPSetLogLevelDifferential)
		{"tcp-response content set-log-level loud", "tcp-response content set-log-level loud", "tcp"},
		{"tcp-response content send-spoe-group a b", "tcp-response content", "tcp"},
		{"tcp-response content silent-drop", "", "tcp"}, // runs (TestTCPResponseSilentDropDifferential)
		{"tcp-response content silent-drop", "silent-drop in HTTP mode", "http"},
		{"tcp-response content sc-inc-gpc0(0)", "", "tcp"}, // runs (TestSCTCPActionsMatchHAProxy)
		{"tcp-response content sc-set-gpt0(0) req.hdr(x)", "not a layer-4 sample", "http"},
		{"tcp-response content reject if { srv_id 1 } { be_name fe }", "", "tcp"},
	} {
		cfg := quickDefaults(tc.mode) +
			"listen fe\n    bind 127.0.0.1:8080\n    " + tc.rule + "\n    server s 127.0.0.1:9\n"
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) {
			t.Errorf("%s: notices %q, want %q", tc.rule, got, tc.want)
		}
	}
}

var logCounts = regexp.MustCompile(` \d+/\d+/\d+/\d+/\d+ `)

// TestTCPResponseServerFetchesDifferential: tcp-response content
// conditions on the backend's, the server's and the server connection's
// fetches (srv_name, srv_id, be_name, bc_dst_port), which have their
// value once the server connection is up, beside HAProxy 2.6 in tcp and
// http mode: two servers in turn, the second's responses refused. The
// client's view and the log lines of four connections.
func TestTCPResponseServerFetchesDifferential(t *testing.T) {
	t.Parallel()
	webs := webs3(t)
	req := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, tc := range []struct{ mode, rules string }{
		{"tcp", "tcp-response content reject if { srv_name s2 } { be_name fe }"},
		{"http", "tcp-response content accept if { srv_id 1 } { bc_dst_port gt 0 }\n    tcp-response content reject"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := loggedHead + "listen fe\n    mode " + tc.mode + "\n    option " + tc.mode + "log\n    bind BIND\n    balance roundrobin\n    " +
				tc.rules + "\n    server s1 " + webs[0] + "\n    server s2 " + webs[1] + "\n"
			ha, goha, haLog, goLog := startBothLogged(t, cfg)
			time.Sleep(100 * time.Millisecond)
			// The round robin may start on either server (a readiness
			// probe takes a turn): the outcomes are compared per server,
			// named by the log line.
			rejected := 0
			want, got := map[string]string{}, map[string]string{}
			for range 4 {
				w, g := silentObserve(t, ha, req), silentObserve(t, goha, req)
				wl, gl := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha")
				// (the connection counts: HAProxy may still count the
				// connection it just refused)
				want[strings.Fields(wl)[4]] = w + "\n" + logCounts.ReplaceAllString(wl, "C")
				got[strings.Fields(gl)[4]] = g + "\n" + logCounts.ReplaceAllString(gl, "C")
				if !strings.Contains(w, "200 OK") {
					rejected++
				}
			}
			for srv, w := range want {
				if got[srv] != w {
					t.Errorf("%s\nhaproxy: %s\ngoha:    %s", srv, w, got[srv])
				}
			}
			if rejected != 2 {
				t.Errorf("haproxy refused %d of 4 responses, want 2", rejected)
			}
		})
	}
}
