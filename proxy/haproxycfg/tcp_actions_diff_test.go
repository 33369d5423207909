package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// tcpActionsCfg runs, in a tcp-mode frontend, the address, capture,
// variable and stick counter actions of the connection, session, content
// and (backend) response rule sets; its log line carries what they set.
const tcpActionsCfg = `global
    log LOG local0
defaults
    mode tcp
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    stick-table type ip size 10 expire 60s store gpc0,gpc1,gpt0
    log-format "%ci:%cp %fi:%fp f=%[var(sess.f)] u=[%[var(sess.u)]] v=%[var(txn.v)] g0=%[ipv4(10.0.0.2),table_gpc0(fe)] g1=%[ipv4(10.0.0.2),table_gpc1(fe)] t0=%[ipv4(10.0.0.2),table_gpt0(fe)] r=%[var(txn.r)] tg=%[src,table_gpt(1,t2)] tc=%[src,table_gpc(0,t2)]"
    tcp-request connection reject if !{ src 127.0.0.9 } !{ src 127.0.0.1 }
    tcp-request connection accept if { src 127.0.0.1 }
    tcp-request connection set-src ipv4(10.0.0.2)
    tcp-request connection set-src-port int(1234)
    tcp-request connection set-dst ipv4(10.9.9.9)
    tcp-request connection track-sc0 src
    tcp-request connection sc-inc-gpc0(0)
    tcp-request connection sc-set-gpt0(0) 5
    tcp-request session accept if { src 127.0.0.1 }
    tcp-request session set-dst ipv4(10.8.8.8)
    tcp-request session set-src ipv4(10.0.0.3)
    tcp-request session track-sc1 src table t2
    tcp-request session sc-inc-gpc1(0)
    tcp-request session sc-set-gpt(1,1) 3
    tcp-request session set-var-fmt(sess.f) "%[src]-%[dst]"
    tcp-request session set-var(sess.u) str(u)
    tcp-request session unset-var(sess.u)
    tcp-request content accept if { src 127.0.0.1 }
    tcp-request content set-dst-port int(81)
    tcp-request content sc-set-gpt0(0) 6
    tcp-request content sc-inc-gpc(0,1)
    tcp-request content set-var(txn.v) src_port
    default_backend be
backend be
    tcp-response content set-var(txn.r) str(r)
    tcp-response content sc-inc-gpc1(0)
    tcp-response content sc-set-gpt(1,1) 8
    server s1 WEB
backend t2
    stick-table type ip size 10 expire 60s store gpc(2),gpt(2)
`

// TestTCPRuleActionsDifferential: set-src, set-src-port, set-dst,
// set-dst-port, capture (content rules: HAProxy and goha refuse it in
// connection and session rules), set-var, set-var-fmt, unset-var,
// sc-inc-gpc0/gpc1/gpc and sc-set-gpt0/gpt in tcp-request connection,
// session and content rules and tcp-response content rules, through
// HAProxy 2.6 and goha on two connections from 127.0.0.9 (HAProxy's
// readiness probe, from 127.0.0.1, skips the rules): the log lines must be
// equal. The log-format has no tag that waits for the end, so both log
// once the server connection is up: the second line shows what the first
// connection's tcp-response rules counted.
func TestTCPRuleActionsDifferential(t *testing.T) {
	web := loopback.StartWeb(t, "w").Addr
	ha, goha, haLines, gohaLines := startBothLogged(t, strings.ReplaceAll(tcpActionsCfg, "WEB", web))
	next := func(c chan string) string {
		select {
		case l := <-c:
			return l
		case <-time.After(3 * time.Second):
			return "(no log line)"
		}
	}
	for i := 0; i < 2; i++ {
		req := "GET / HTTP/1.0\r\n\r\n"
		exchangeFrom(t, "127.0.0.9", ha, req, time.Second)
		exchangeFrom(t, "127.0.0.9", goha, req, time.Second)
		want, got := next(haLines), next(gohaLines)
		if !strings.Contains(want, "10.0.0.3:1234 10.8.8.8:81 f=") {
			t.Errorf("HAProxy logged %q", want)
		}
		if want != got {
			t.Errorf("connection %d:\nhaproxy %q\ngoha    %q", i+1, want, got)
		}
	}
}
