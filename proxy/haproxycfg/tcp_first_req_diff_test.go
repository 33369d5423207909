package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTCPFirstReqDifferential: http_first_req in a tcp frontend's
// content rule conditions (named ACL included), its use_backend
// condition, dynamic use_backend name and log-format, and in a tcp
// backend's content rule and `stick on`, beside HAProxy
// 2.6.12: a tcp stream's one transaction is its connection's first, so
// the fetch is true at once whatever the client sends (an HTTP head,
// other bytes, a head cut short, nothing) and nothing waits for the
// inspect delay. The client's answer (which server, the bytes it got,
// whether it waited) and the log lines are compared.
func TestTCPFirstReqDifferential(t *testing.T) {
	cfg := tcpLogHead + `frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    log-format "%ci %ft %b/%s %ts g=%[var(txn.g)] l=%[http_first_req]"
    acl first http_first_req
    tcp-request content set-var(txn.g) str(yes) if first
    tcp-request content reject if !{ http_first_req }
    use_backend none if !{ http_first_req }
    use_backend %[http_first_req,iif(hb,none)]
backend none
    server s9 REC1
backend hb
    balance first
    stick-table type integer size 1k
    stick on http_first_req
    tcp-request content reject unless { http_first_req }
    server s1 REC1
    server s2 REC2
    server s3 REC3
`
	cfg = strings.NewReplacer("REC1", recordServer(t, "s1"), "REC2", recordServer(t, "s2"), "REC3", recordServer(t, "s3")).Replace(cfg)
	ha, goha, haLog, goLog, _ := startBothLoggedStats(t, cfg, "")
	dropStartLines(haLog, goLog)
	for _, send := range []string{"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "hello\r\n", "GET /x HTTP/1.1\r\n", ""} {
		want, got := bothAtOnce(ha, goha, func(addr string) string {
			start := time.Now()
			out := payloadClient(t, addr, send)
			return fmt.Sprintf("%s (waited %v)", out, time.Since(start) > 900*time.Millisecond)
		})
		if want != got || !strings.HasPrefix(want, "s") || strings.Contains(want, "s9") {
			t.Errorf("%q: the client saw\nhaproxy %s\ngoha    %s", send, want, got)
		}
		sameLoggedLines(t, send, haLog, goLog, 1)
	}
}

// TestTCPFirstReqUpgradedDifferential: a tcp frontend upgraded to HTTP
// (its backend is an http one, for every connection or chosen per
// connection) runs its content rules on each request of a kept-alive
// connection: http_first_req is true on the first, false on the second,
// in the frontend's content rule condition and the backend's header,
// beside HAProxy 2.6.
func TestTCPFirstReqUpgradedDifferential(t *testing.T) {
	echo := startHeaderEcho(t)
	for name, route := range map[string]string{
		"whole":    "default_backend web",
		"per conn": "use_backend web if { src 127.0.0.0/8 }\n    default_backend raw",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := `defaults
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    mode tcp
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.f) str(yes) if { http_first_req }
    ` + route + `
backend raw
    mode tcp
    server s1 ` + echo + `
backend web
    mode http
    http-request set-header x-f-first %[var(txn.f)]-%[http_first_req]
    server s1 ` + echo + `
`
			ha, goha := startBoth(t, cfg)
			req := "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
			want, got := keptAliveBodies(t, ha, req), keptAliveBodies(t, goha, req)
			if want != got || !strings.Contains(want, "x-f-first=yes-1") || !strings.Contains(want, "x-f-first=-0") {
				t.Errorf("haproxy\n%s\ngoha\n%s", want, got)
			}
		})
	}
}
