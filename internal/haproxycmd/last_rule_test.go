package haproxycmd

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestLastRuleBesideHAProxy: last_rule_file and last_rule_line beside
// HAProxy 2.6 in log lines: the last rule that ended its list with a
// verdict (tcp-request content accept/reject in http and tcp mode,
// http-request allow/deny/return, a strict normalize-uri's bad request,
// the legacy redirect, http-response deny/allow, http-after-response
// allow, tcp-response content accept/reject/close), none when only
// rules that let the next one run matched.
func TestLastRuleBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	paths := []string{"/tcpacc", "/tcprej", "/allow", "/deny", "/ret", "/norm%4", "/redir", "/rdeny", "/rallow",
		"/aallow", "/tracc", "/trrej", "/trclose", "/none"}
	run := func(bin string) []string {
		logs := loopback.ListenUDP(t)
		fe, tcpfe := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := strings.Replace(syslogHTTPHead(logs.LocalAddr()), "global\n", "global\n    expose-experimental-directives\n", 1) + `frontend fe
    bind ` + fe + `
    log-format "%ST %[last_rule_file,regsub(^.*/,)]:%[last_rule_line]"
    http-request set-var(txn.p) path
    http-request set-header x-a b
    tcp-request content accept if { path /tcpacc }
    tcp-request content reject if { path /tcprej }
    http-request allow if { path /allow }
    http-request deny if { path /deny }
    http-request return status 201 if { path /ret }
    http-request normalize-uri percent-decode-unreserved strict if { path_beg /norm }
    redirect location /x if { path /redir }
    http-response set-header x-b c
    http-response deny if { var(txn.p) -m str /rdeny }
    http-response allow if { var(txn.p) -m str /rallow }
    http-after-response allow if { var(txn.p) -m str /aallow }
    http-after-response set-header x-c d
    default_backend b
backend b
    tcp-response content set-var(txn.q) str(q)
    tcp-response content accept if { var(txn.p) -m str /tracc }
    tcp-response content reject if { var(txn.p) -m str /trrej }
    tcp-response content close if { var(txn.p) -m str /trclose }
    server s ` + web + `
listen tcp
    mode tcp
    bind ` + tcpfe + `
    log-format "tcp %[last_rule_file,regsub(^.*/,)]:%[last_rule_line]"
    tcp-request inspect-delay 1s
    tcp-request content set-var(sess.x) str(1)
    tcp-request content accept if { req.len gt 0 }
    tcp-response content reject
    server s ` + web + `
`
		startWithConfig(t, bin, cfg, fe, tcpfe)
		drainSyslog(logs)
		next := func() string { return nextSyslogLine(logs) }
		send := func(addr, req string) string {
			status, _, _ := strings.Cut(rawExchange(t, addr, req), "\r\n")
			return status
		}
		var out []string
		for _, p := range paths {
			status := send(fe, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
			out = append(out, p+": "+status+" | "+next())
		}
		return append(out, "tcp: "+send(tcpfe, "GET / HTTP/1.0\r\n\r\n")+" | "+next())
	}
	want, got := run(haproxyBin), run(gohaproxy)
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("haproxy: %s\ngoha:    %s", want[i], got[min(i, len(got)-1)])
		} else {
			t.Log(want[i])
		}
	}
}
