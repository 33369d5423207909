package haproxycfg

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// resBodyServer answers by path, in parts with pauses: the head and
// "hello", then "world" 300 ms later (/slow: 2 s later); /chunk the same
// chunked; /big 40000 bytes at once.
func resBodyServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for {
				l, err := br.ReadString('\n')
				if err != nil || l == "\r\n" {
					break
				}
			}
			path := strings.Fields(line + " / ")[1]
			pause := 300 * time.Millisecond
			var first, second string
			switch path {
			case "/chunk":
				first, second = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n", "5\r\nworld\r\n0\r\n\r\n"
			case "/big":
				first = "HTTP/1.1 200 OK\r\ncontent-length: 40000\r\n\r\n" + strings.Repeat("a", 40000)
			case "/slow":
				pause = 2 * time.Second
				fallthrough
			default:
				first, second = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello", "world"
			}
			io.WriteString(c, first)
			if second != "" {
				time.Sleep(pause)
				if _, err := io.WriteString(c, second); err != nil {
					return
				}
			}
		}
	})
}

const resBodyConfig = httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.p) path
    http-response wait-for-body time 1s at-least 3 if { var(txn.p) -m str /least }
    http-response wait-for-body time 1s unless { var(txn.p) -m str /nowait /least }
    http-response set-header x-len %[res.body_len] if { res.body_len lt 15000 }
    http-response set-header x-big 1 if { res.body_len gt 15000 }
    http-response set-header x-size %[res.body_size]
    http-response set-header x-body %[res.body] if { res.body_len lt 100 }
    http-response set-header x-hex %[res.body,hex] if { res.body_len lt 100 }
    default_backend be
backend be
    server s1 BACKEND
`

// TestResponseBodyDifferential: http-response wait-for-body (whole body,
// at-least, timeout answered 504) and the res.body, res.body_len and
// res.body_size fetches beside HAProxy 2.6: the client must get the same
// bytes.
func TestResponseBodyDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	srv := resBodyServer(t)
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := strings.NewReplacer("BACKEND", srv)
	if n := notices(buildText(t, strings.NewReplacer("BIND", "127.0.0.1:1", "BACKEND", "127.0.0.1:2").Replace(resBodyConfig))); len(n) != 0 {
		t.Fatalf("goha refuses part of the configuration: %q", n)
	}
	difftest.StartHAProxy(t, strings.ReplaceAll(cfg.Replace(resBodyConfig), "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(cfg.Replace(resBodyConfig), "BIND", goha))
	for _, path := range []string{"/", "/chunk", "/big", "/nowait", "/least", "/slow"} {
		req := []byte("GET " + path + " HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n")
		want, err1 := difftest.Exchange(ha, req, 3*time.Second)
		got, err2 := difftest.Exchange(goha, req, 3*time.Second)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", path, err1, err2)
		}
		if !bytes.HasPrefix(want, []byte("HTTP/1.1 ")) || !bytes.Equal(want, got) {
			t.Errorf("%s:\n haproxy %q\n goha    %q", path, trunc(string(want)), trunc(string(got)))
		}
	}
}
