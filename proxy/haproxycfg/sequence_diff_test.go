package haproxycfg

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
)

// startHeadRecorder is a backend that answers every request with the
// request head it received, byte for byte (request line and header
// fields in order), as the body of a 200.
func startHeadRecorder(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			head, err := readHead(br)
			if err != nil {
				return
			}
			head = strings.TrimSuffix(head, "\r\n") // the empty line
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s", len(head), head)
		}
	})
}

// seqConfigs are http-request rule sequences whose later rules read what
// the earlier ones did to the request, as HAProxy runs them.
var seqConfigs = []string{
	`http-request set-header X 1
    http-request deny deny_status 401 if { req.hdr(x) 1 }`,
	`http-request del-header x
    http-request deny if { req.hdr(x) -m found }
    http-request set-header x-f-a "%[req.hdr(x)]|%[req.hdr_cnt(x)]"`,
	`http-request add-header X b
    http-request set-header x-f-a %[req.hdr(x)]
    http-request set-header x-f-b %[req.hdr_cnt(x)]
    http-request set-header x-f-c %[req.fhdr(x)]
    http-request set-header x-f-d %[req.hdr_names]`,
	`http-request set-header x %[req.hdr(x)]-2
    http-request set-header X %[req.hdr(x)]-3
    http-request deny deny_status 429 if { req.hdr(x) -m end -- -3-3 }`,
	`http-request set-path /new
    http-request set-header x-f-p %[path]
    http-request deny deny_status 401 if { path /p/q }
    http-request set-method POST
    http-request set-header x-f-m %[method]`,
	`http-request set-header X-A 1
    http-request add-header Host other
    http-request add-header X-A 2
    http-request set-header x-b %[req.hdr(x-a)]
    http-request del-header X-a if { req.hdr_cnt(x-a) 2 }
    http-request add-header x-a 3
    http-request set-header x-c %[req.hdr(host,1)]`,
	`http-request set-header a 1
    http-request allow if { req.hdr(a) 1 } { req.hdr(x) abc }
    http-request set-header b 2
    http-request deny if { req.hdr(b) 2 } { req.hdr(x) -m len 0 }`,
	`http-request set-header x-forwarded-for mine if { req.hdr(x) abc }
    option forwardfor if-none
    http-request del-header cookie
    http-request set-header x-f-k %[req.cook(a)]`,
}

// TestRuleSequenceDifferential: http-request set-header, add-header,
// del-header, set-path and set-method followed by conditions and %[...]
// values reading what they changed, against HAProxy 2.6: the status and
// the request head the backend receives must be identical.
func TestRuleSequenceDifferential(t *testing.T) {
	t.Parallel()
	reqs := []string{
		"GET /p/q?a=1 HTTP/1.1\r\nHost: t\r\nX: abc\r\nCookie: a=1; b=2\r\nConnection: close\r\n\r\n",
		"GET /p/q HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /p/q HTTP/1.1\r\nhost: t\r\nx: 1\r\nX: 2\r\nx-a: 0\r\nConnection: close\r\n\r\n",
		"GET /p/q HTTP/1.1\r\nHost: t\r\nX: \r\nCookie: a=1; a=2\r\ncookie: a=3\r\nConnection: close\r\n\r\n",
	}
	sameHeadsPerRules(t, seqConfigs, reqs)
}

// sameHeadsPerRules runs each of configs (http-request rules) in a
// frontend before startHeadRecorder, on both sides, and compares what
// exchangeOne gets of every request of reqs.
func sameHeadsPerRules(t *testing.T, configs, reqs []string) {
	t.Helper()
	backend := startHeadRecorder(t)
	for i, rules := range configs {
		cfg := httpHead +
			"frontend fe\n    bind BIND\n    " + rules + "\n    default_backend be\nbackend be\n    server s1 " + backend + "\n"
		ha, goha := startBoth(t, cfg)
		for j, req := range reqs {
			want, got := exchangeOne(t, ha, req), exchangeOne(t, goha, req)
			if want != got {
				t.Errorf("config %d, request %d:\n%s\n haproxy %q\n goha    %q", i, j, rules, want, got)
			}
		}
	}
}

// exchangeOne sends a request and returns the status and body of the
// one response.
func exchangeOne(t *testing.T, addr, req string) string {
	t.Helper()
	r := exchangeSole(t, addr, req)
	if r.Status != 200 {
		return fmt.Sprint(r.Status) // error pages may differ in wording
	}
	return strings.TrimSpace(r.Body)
}
