package haproxycfg

import "testing"

// TestTCPContentSetNiceDifferential: `tcp-request content set-nice` is
// inert in goha (a warning at -c): HAProxy's nice factor only orders its
// tasks. Rules around it, before and after, run as on HAProxy 2.6.12 in a
// tcp frontend: the same bytes at the client, the same log lines.
func TestTCPContentSetNiceDifferential(t *testing.T) {
	server := echoOnceServer(t)
	cfg := tcpLogHead + `frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content set-nice -5 if { req.len gt 0 }
    tcp-request content reject if { req.payload(0,3) -m str REJ }
    tcp-request content set-nice 1024
    tcp-request content set-var(txn.n) str(nice)
    tcp-request content reject if { req.payload(0,3) -m str VAR } { var(txn.n) -m str nice }
    tcp-request content accept if { req.len gt 0 }
    default_backend be
backend be
    server s1 ` + server + `
`
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	sameAnswersLogged(t, ha, goha, haLog, goLog, "HELLO", "REJ!", "VAR!", "HELLO again")
}
