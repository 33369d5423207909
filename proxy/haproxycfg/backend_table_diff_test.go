package haproxycfg

import "testing"

// TestBackendRulesOwnTableTCPDifferential: in a tcp backend's
// tcp-request content and tcp-response content rules, a stick-table
// fetch naming no table reads the backend's table (HAProxy resolves it
// to the section the rule is written in), not the frontend's, beside
// HAProxy 2.6.12: the frontend counts gpc0 on its table for every
// connection, the backend on its own only for INC, and the backend's
// rules decide on src_get_gpc0. Compared: the client's bytes and the
// log lines.
func TestBackendRulesOwnTableTCPDifferential(t *testing.T) {
	server := echoOnceServer(t)
	cfg := tcpLogHead + `frontend fe
    bind BIND
    stick-table type ip size 10 expire 30s store gpc0
    tcp-request inspect-delay 1s
    tcp-request content track-sc0 src
    tcp-request content sc-inc-gpc0(0)
    tcp-request content accept if { req.len gt 0 }
    default_backend be
backend be
    stick-table type ip size 10 expire 30s store gpc0,conn_cnt
    tcp-request inspect-delay 1s
    tcp-request content track-sc1 src
    tcp-request content sc-inc-gpc0(1) if { req.payload(0,3) -m str INC }
    tcp-request content reject if { src_get_gpc0 ge 2 }
    tcp-response inspect-delay 1s
    tcp-response content reject if { src_get_gpc0 ge 1 } { res.len gt 0 }
    server s1 ` + server + `
`
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	sameAnswersLogged(t, ha, goha, haLog, goLog, "HELLO", "INC", "HELLO", "INC", "HELLO")
}
