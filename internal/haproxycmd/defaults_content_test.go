package haproxycmd

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestDefaultsContentRulesBesideHAProxy: the tcp-request content rules of
// a named defaults section run, before their own, in the frontends and
// frontends starting from it (by "from" or as the last defaults), beside
// HAProxy 2.6: variables set by both lists, an accept in the defaults
// ending the proxy's own content rules too, a reject from either list (log
// lines and what the client gets).
func TestDefaultsContentRulesBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	run := func(bin string) []string {
		logs := loopback.ListenUDP(t)
		fe, tcpfe := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := `global
    log ` + logs.LocalAddr().String() + ` local0
defaults base
    mode http
    log global
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    log-format "%ST %[var(txn.d)] %[var(txn.e)] %[last_rule_line]"
    tcp-request content set-var(txn.d) str(def)
    tcp-request content accept if { path /acc }
    tcp-request content reject if { path /rej }
frontend fe from base
    bind ` + fe + `
    tcp-request content set-var(txn.e) str(own)
    tcp-request content reject if { path /acc2 }
    default_backend b
defaults base2
    mode http
    log global
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    log-format "implicit %ST %[var(txn.d)] %[last_rule_line]"
    tcp-request content set-var(txn.d) str(def2)
    tcp-request content reject if { path /rej }
frontend t
    bind ` + tcpfe + `
    default_backend b
defaults plain
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
backend b from plain
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
		for _, p := range []string{"/", "/acc", "/rej", "/acc2"} {
			out = append(out, p+": "+send(fe, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")+" | "+next())
		}
		for _, p := range []string{"/", "/rej"} {
			out = append(out, "implicit "+p+": "+send(tcpfe, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")+" | "+next())
		}
		return out
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
