package haproxycfg

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestUseServerDifferential: use-server with if and unless conditions
// (the first that holds wins), a weight-0 server still reachable through
// it, a server refusing connections (no checks: up, so pinned; 503), and
// a persistence cookie use-server wins over, beside HAProxy 2.6: which
// server answered each request.
func TestUseServerDifferential(t *testing.T) {
	w := webs3(t)
	dead := loopback.DeadAddr(t)
	cfg := `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 0
frontend fe
    bind BIND
    default_backend be
backend be
    cookie SRV indirect
    use-server down if { path_beg /down }
    use-server s3 if { path_beg /down }
    use-server s2 if { hdr(x-two) -m found }
    use-server s3 unless { path_beg /plain } || { hdr(x-two) -m found }
    server s1 ` + w[0] + ` cookie c1
    server s2 ` + w[1] + ` cookie c2 weight 0
    server s3 ` + w[2] + ` cookie c3
    server down ` + dead + ` cookie cd
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	conns := []string{
		"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /plain HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /plain HTTP/1.1\r\nHost: h\r\nX-Two: 1\r\nConnection: close\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nCookie: SRV=c1\r\nConnection: close\r\n\r\n",
		"GET /down HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /plain HTTP/1.1\r\nHost: h\r\nX-Two: 1\r\nConnection: close\r\n\r\n",
	}
	norm := func(b []byte) []byte { // net/http's Date header
		var out [][]byte
		for _, l := range bytes.Split(b, []byte("\r\n")) {
			if !bytes.HasPrefix(l, []byte("Date: ")) {
				out = append(out, l)
			}
		}
		return bytes.Join(out, []byte("\r\n"))
	}
	for _, raw := range conns {
		want, wantEnd := exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
		got, gotEnd := exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
		if !bytes.Equal(norm(want), norm(got)) || wantEnd != gotEnd {
			t.Errorf("%q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", raw, wantEnd, want, gotEnd, got)
		}
	}
}
