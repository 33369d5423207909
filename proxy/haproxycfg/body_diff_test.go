package haproxycfg

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// bodyCase is one request sent in parts, with a pause before each part
// after the first.
type bodyCase struct {
	name  string
	parts []string
	pause time.Duration
}

// bodyConfigs are the two configurations of TestBodyFetchDifferential:
// `option http-buffer-request` (timeout http-request 1s) and
// `http-request wait-for-body` rules, both reading the body with the
// req.body* fetches into headers the backend records.
var bodyConfigs = []struct {
	name, rules string
	cases       []bodyCase
}{
	{"http-buffer-request", `    option http-buffer-request
    http-request deny if { req.body_param(user) -m str admin }
    http-request set-header x-len %[req.body_len] unless { path /big }
    http-request set-header x-big 1 if { path /big } { req.body_len gt 15000 }
    http-request set-header x-size %[req.body_size]
    http-request set-header x-body %[req.body] unless { path /big }
    http-request set-header x-p %[req.body_param(b)]
    http-request set-header x-e %[req.body_param()]
    http-request set-header x-hex %[req.body,hex] if { path /hex }
`, []bodyCase{
		{"content-length in two parts", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob&b=x+y", "z"}, 200 * time.Millisecond},
		{"admin denied", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nuser=admin"}, 0},
		{"admin denied, body late", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18\r\n\r\nb=1&user=", "admin&c=2"}, 200 * time.Millisecond},
		{"admin not a prefix", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=administer"}, 0},
		{"chunked", []string{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuser=\r\n3\r\nbob\r\n0\r\n\r\n"}, 0},
		{"chunked, admin split", []string{"POST /hex HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuser=\r\n", "5\r\nadmin\r\n0\r\n\r\n"}, 200 * time.Millisecond},
		{"chunked with trailer", []string{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nb=zz\r\n0\r\nx-t: 1\r\n\r\n"}, 0},
		{"empty name", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n=v&user=bob"}, 0},
		{"no body", []string{"GET /hex HTTP/1.1\r\nHost: h\r\n\r\n"}, 0},
		{"body larger than the buffer", []string{"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 40000\r\n\r\n" + strings.Repeat("a", 20000), strings.Repeat("b", 20000)}, 100 * time.Millisecond},
		{"slow body: 408", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob", "zzzzzzz"}, 1500 * time.Millisecond},
		{"expect 100-continue", []string{"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 8\r\n\r\n", "user=bob"}, 200 * time.Millisecond},
	}},
	{"wait-for-body", `    http-request wait-for-body time 500ms at-least 10 if { path /least }
    http-request wait-for-body time 500ms unless { path /least }
    http-request set-header x-len %[req.body_len] if { req.body_len lt 100 }
    http-request set-header x-big 1 if { req.body_len gt 15000 }
    http-request set-header x-size %[req.body_size]
    http-request set-header x-body %[req.body] if { req.body_len lt 100 }
`, []bodyCase{
		{"whole body in time", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob", "zzzzzzz"}, 200 * time.Millisecond},
		{"at-least reached", []string{"POST /least HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob12", "zzzzz"}, 700 * time.Millisecond},
		{"chunked, at-least reached", []string{"POST /least HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nc\r\nuser=bob1234\r\n", "2\r\nzz\r\n0\r\n\r\n"}, 700 * time.Millisecond},
		{"slow body: 408", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob", "zzzzzzz"}, 900 * time.Millisecond},
		{"body larger than the buffer", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 40000\r\n\r\n" + strings.Repeat("a", 20000), strings.Repeat("b", 20000)}, 100 * time.Millisecond},
	}},
	{"backend's http-buffer-request", `    http-request set-header x-len %[req.body_len]
`, []bodyCase{
		{"whole body in time", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob", "zzzzzzz"}, 200 * time.Millisecond},
		{"slow body: 408", []string{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 15\r\n\r\nuser=bob", "zzzzzzz"}, 1500 * time.Millisecond},
	}},
}

// TestBodyFetchDifferential: `option http-buffer-request`, `http-request
// wait-for-body` and the req.body, req.body_len, req.body_size and
// req.body_param fetches against HAProxy 2.6, each proxy in front of its
// own recording backend: the client must get the same bytes and the
// backend must receive the same bytes (the body unchanged, a chunked
// body re-framed as HAProxy does).
func TestBodyFetchDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	for _, c := range bodyConfigs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each configuration its own daemons and recorders; the cases wait for quiet
			recHA, recGo := startRecorder(t), startRecorder(t)
			cfg := httpHead + "    timeout http-request 1s\n" +
				"frontend fe\n    bind BIND\n" + c.rules + "    default_backend be\nbackend be\n    server s1 BACKEND\n"
			if strings.HasPrefix(c.name, "backend's") {
				cfg += "    option http-buffer-request\n"
			}
			if n := notices(buildText(t, strings.NewReplacer("BIND", "127.0.0.1:1", "BACKEND", "127.0.0.1:2").Replace(cfg))); len(n) != 0 {
				t.Fatalf("goha refuses part of the configuration: %q", n)
			}
			ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
			difftest.StartHAProxy(t, strings.NewReplacer("BIND", ha, "BACKEND", recHA.ln.Addr().String()).Replace(cfg), ha)
			runPlan(t, strings.NewReplacer("BIND", goha, "BACKEND", recGo.ln.Addr().String()).Replace(cfg))
			for _, bc := range c.cases {
				recHA.reset(nil, false)
				recGo.reset(nil, false)
				want, got := sendInParts(t, ha, bc), sendInParts(t, goha, bc)
				time.Sleep(100 * time.Millisecond) // the recorders' last reads
				if !bytes.Equal(want, got) {
					t.Errorf("%s: client got\n haproxy %q\n goha    %q", bc.name, want, got)
				}
				if w, g := recHA.bytes(), recGo.bytes(); !bytes.Equal(w, g) {
					t.Errorf("%s: backend got\n haproxy %q\n goha    %q", bc.name, w, g)
				}
			}
		})
	}
}

// sendInParts sends the case's parts on one connection and returns what
// came back until the proxy closed or went quiet for 700 ms.
func sendInParts(t *testing.T, addr string, c bodyCase) []byte {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, p := range c.parts {
		if i > 0 {
			time.Sleep(c.pause)
		}
		if _, err := conn.Write([]byte(p)); err != nil {
			break // answered and closed already
		}
	}
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		conn.SetReadDeadline(time.Now().Add(700 * time.Millisecond))
		n, err := conn.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out
		}
	}
}
