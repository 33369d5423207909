package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// seedHAProxyCfg is the seed's defaults + frontend/backend on loopback
// ports, for the real haproxy.
func seedHAProxyCfg(bind string, servers ...string) string {
	var b strings.Builder
	b.WriteString(`defaults
    mode http
    option http-server-close
    option forwardfor except 127.0.0.0/8
    option redispatch
    retries 3
    timeout http-request 2s
    timeout queue 1m
    timeout connect 100ms
    timeout client 5s
    timeout server 5s
    timeout http-keep-alive 2s
frontend main
    bind ` + bind + `
    default_backend servers
backend servers
    balance roundrobin
`)
	for i, s := range servers {
		fmt.Fprintf(&b, "    server web%d %s\n", i+1, s)
	}
	return b.String()
}

// TestDifferentialAgainstHAProxy sends the same bytes through the real
// haproxy and through this proxy with equivalent configs and compares
// status, body and the headers that matter.
func TestDifferentialAgainstHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	echo := func(name string) *backendServer {
		return startBackend(t, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Server", name)
			if r.URL.Path == "/chunked" { // force a chunked response
				io.WriteString(w, "part1 ")
				w.(http.Flusher).Flush()
			}
			fmt.Fprintf(w, "%s %s %s body=%q xff=%q conn=%q xa=%q", name, r.Method, r.RequestURI, b,
				r.Header.Get("X-Forwarded-For"), r.Header.Values("Connection"), r.Header.Values("X-A"))
		})
	}
	b1, b2, b3 := echo("server1"), echo("server2"), echo("server3")
	dead := loopback.DeadAddr(t)
	garbage := garbageServer(t)
	cases := []struct {
		name    string
		servers []string
		reqs    []string
	}{
		{"seed round robin", []string{b1.addr, b2.addr, b3.addr}, []string{
			"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET /b?c=d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET / HTTP/1.0\r\n\r\n",
		}},
		{"bodies and framing", []string{b1.addr}, []string{
			"POST /cl HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
			"POST /te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			"POST /clte HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			"POST /dup HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
			"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"POST /exp HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		}},
		{"smuggling shapes", []string{b1.addr}, []string{
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabc",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			"GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
			"G(T / HTTP/1.1\r\n\r\n",
			"GET /\r\n\r\n",
			"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
		}},
		{"keep-alive and pipelining", []string{b1.addr, b2.addr, b3.addr}, []string{
			"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
			"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nGET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET /chunked HTTP/1.0\r\n\r\n",
		}},
		{"header handling", []string{b1.addr}, []string{
			"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Foo\r\nX-Foo: 1\r\nKeep-Alive: 5\r\nConnection: close\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\nX-A: c\r\nConnection: close\r\n\r\n",
			"GET http://x/abs?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		}},
		{"dead server", []string{dead}, []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"invalid response", []string{garbage}, []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}},
	}
	headers := []string{"content-length", "transfer-encoding", "connection", "x-server", "content-type", "cache-control"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			haddr := loopback.FreeAddr(t)
			difftest.StartHAProxy(t, seedHAProxyCfg(haddr, tc.servers...), haddr)
			cfg := seedConfig(tc.servers...)
			cfg.Backends[0].Timeouts.Connect = 100 * time.Millisecond
			cfg.Frontends[0].ForwardFor = ForwardFor{Enabled: true, Header: "X-Forwarded-For", Except: mustPrefix("127.0.0.0/8")}
			_, gaddr := startProxy(t, cfg)
			for _, raw := range tc.reqs {
				method := strings.SplitN(raw, " ", 2)[0]
				if strings.Contains(raw, "100-continue") {
					method = "" // an interim response comes first
				}
				hraw, err := difftest.Exchange(haddr, []byte(raw), time.Second)
				if err != nil {
					t.Fatal(err)
				}
				graw, err := difftest.Exchange(gaddr, []byte(raw), time.Second)
				if err != nil {
					t.Fatal(err)
				}
				want, err := difftest.ParseAll(hraw, method)
				if err != nil {
					t.Fatalf("%q: haproxy: %v (%q)", raw, err, hraw)
				}
				got, err := difftest.ParseAll(graw, method)
				if err != nil {
					t.Fatalf("%q: goha: %v (%q)", raw, err, graw)
				}
				if os.Getenv("DIFFTEST_SHOW") != "" {
					t.Logf("%q\nhaproxy %q\ngoha    %q", raw, hraw, graw)
				}
				if d := difftest.Diff(want, got, headers...); d != "" {
					t.Errorf("%q:\n%s", raw, d)
				}
			}
		})
	}
}

// garbageServer answers every request with bytes that are not HTTP.
func garbageServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), answerGarbage)
}

// TestDifferentialTCPMode relays the same bytes, with a half-close, through
// haproxy and this proxy in mode tcp.
func TestDifferentialTCPMode(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	echo := echoHalfClose(t)
	haddr := loopback.FreeAddr(t)
	difftest.StartHAProxy(t, `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind `+haddr+`
    server s1 `+echo+`
`, haddr)
	_, gaddr := startProxy(t, tcpConfig(echo))
	payload := strings.Repeat("0123456789abcdef", 20000)
	relayThrough := func(addr string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() {
			io.WriteString(c, payload)
			c.(*net.TCPConn).CloseWrite()
		}()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	h, g := relayThrough(haddr), relayThrough(gaddr)
	if h != g || g != payload+"bye" {
		t.Fatalf("haproxy %d bytes, goha %d bytes (want %d)", len(h), len(g), len(payload)+3)
	}
}
