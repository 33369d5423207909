package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

func TestSeedRoundRobin(t *testing.T) {
	b1, b2, b3 := textBackend(t, "server1\n"), textBackend(t, "server2\n"), textBackend(t, "server3\n")
	p, addr := startProxy(t, seedConfig(b1.addr, b2.addr, b3.addr))
	var got []string
	for range 6 {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, strings.TrimSpace(string(b)))
	}
	if want := "server1 server2 server3 server1 server2 server3"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	// The client may read the last response before the proxy has ended
	// its transaction (and counted its bytes on the backend).
	fe, be := p.Frontends()[0].Stats, p.Backends()[0]
	for deadline := time.Now().Add(2 * time.Second); be.Stats.CurSessions > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		fe, be = p.Frontends()[0].Stats, p.Backends()[0]
	}
	if fe.Requests != 6 || fe.HRsp2xx != 6 || be.Stats.HRsp2xx != 6 || be.Stats.BytesOut != fe.BytesOut || fe.BytesOut == 0 {
		t.Fatalf("frontend %+v backend %+v", fe, be.Stats)
	}
	for i, s := range be.Servers {
		if s.Name != fmt.Sprintf("web%d", i+1) || s.Stats.Sessions != 2 || s.Stats.HRsp2xx != 2 || !s.Up {
			t.Fatalf("server %d: %+v", i, s)
		}
	}
}

func keepAliveCfg(addr string) *Config {
	cfg := seedConfig(addr)
	cfg.Frontends[0].ConnMode, cfg.Backends[0].ConnMode = KeepAlive, KeepAlive
	return cfg
}

func TestKeepAliveReusesServerConnection(t *testing.T) {
	for _, tc := range []struct {
		mode      HTTPConnMode
		wantConns int64
		closes    bool
	}{{KeepAlive, 1, false}, {ServerClose, 5, false}, {Close, 1, true}} {
		be := textBackend(t, "ok")
		cfg := keepAliveCfg(be.addr)
		cfg.Backends[0].ConnMode = tc.mode
		_, addr := startProxy(t, cfg)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		n := 5
		if tc.closes {
			n = 1
		}
		for i := range n {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, body := readResponse(t, br, "GET")
			if body != "ok" || resp.StatusCode != 200 {
				t.Fatalf("mode %v req %d: %d %q", tc.mode, i, resp.StatusCode, body)
			}
			if tc.closes != resp.Close {
				t.Fatalf("mode %v: Close=%v", tc.mode, resp.Close)
			}
		}
		c.Close()
		if got := be.conns.Load(); got != tc.wantConns {
			t.Fatalf("mode %v: backend saw %d connections, want %d", tc.mode, got, tc.wantConns)
		}
	}
}

func TestPipelinedRequestsAnsweredInOrder(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.URL.Path+":"+string(b))
	})
	_, addr := startProxy(t, keepAliveCfg(be.addr))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"+
		"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"+
		"GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"/a:abc", "/b:de", "/c:"} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
}

func TestChunkedBodiesBothWays(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b) // net/http answers chunked: no Content-Length set, Flush below
		w.(http.Flusher).Flush()
		w.Write([]byte("!"))
	})
	_, addr := startProxy(t, keepAliveCfg(be.addr))
	big := strings.Repeat("0123456789", 5000) // larger than a buffer
	req, _ := http.NewRequest("POST", "http://"+addr+"/", io.NopCloser(strings.NewReader(big)))
	req.ContentLength = -1 // force chunked upload
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != big+"!" || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("len %d te %v", len(b), resp.TransferEncoding)
	}
}

func TestExpectContinue(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body) // net/http sends 100 Continue on first body read
		io.WriteString(w, "got:"+string(b))
	})
	_, addr := startProxy(t, keepAliveCfg(be.addr))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim %q %v", line, err)
	}
	if l, _ := br.ReadString('\n'); l != "\r\n" {
		t.Fatalf("interim end %q", l)
	}
	io.WriteString(c, "hello")
	if _, body := readResponse(t, br, "POST"); body != "got:hello" {
		t.Fatalf("body %q", body)
	}
}

func TestSmugglingShapesGet400(t *testing.T) {
	be := textBackend(t, "ok")
	_, addr := startProxy(t, keepAliveCfg(be.addr))
	for name, raw := range map[string]string{
		"conflicting CL": "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"TE not chunked": "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"bad chunk size": "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
		"space in name":  "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
		"CTL in name":    "GET / HTTP/1.1\r\nHost: x\r\nX\x01A: b\r\n\r\n",
		"NUL in value":   "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
		"bad method":     "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
		"http/0.9":       "GET /\r\n\r\n",
		"head too large": "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + strings.Repeat("a", 17000) + "\r\n\r\n",
	} {
		if got := rawExchange(t, addr, raw, 2*time.Second); got != builtinErrors[400] {
			t.Errorf("%s: got %q", name, got)
		}
	}
	if be.conns.Load() != 0 {
		t.Fatalf("a rejected request reached the backend")
	}
}

func TestCLWithTEForwardsChunkedAndCloses(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, strings.Join(r.TransferEncoding, ",")+":"+string(b))
	})
	_, addr := startProxy(t, keepAliveCfg(be.addr))
	got := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 2*time.Second)
	if !strings.HasSuffix(got, "chunked:abc") || !strings.Contains(got, "\r\nconnection: close\r\n") {
		t.Fatalf("got %q", got)
	}
}

func TestDeadBackend503(t *testing.T) {
	cfg := seedConfig(loopback.DeadAddr(t), loopback.DeadAddr(t))
	p, addr := startProxy(t, cfg)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second)
	if got != builtinErrors[503] {
		t.Fatalf("got %q", got)
	}
	st := p.Backends()[0]
	// retries 3 + redispatch, two active servers in roundrobin: 4 connect
	// attempts, each retry redispatched at once to the other server. As
	// HAProxy 2.6 (show stat after the same request): econ 1 (one request
	// failed to connect), wretr 0, wredis 3; "+3" in its log.
	if st.Stats.ConnErrors != 1 || st.Stats.Retries != 0 || st.Stats.Redispatches != 3 || st.Stats.HRsp5xx != 1 {
		t.Fatalf("stats %+v", st.Stats)
	}
}

func TestRedispatchReachesLiveServer(t *testing.T) {
	live := textBackend(t, "alive")
	cfg := seedConfig(loopback.DeadAddr(t), live.addr)
	cfg.Backends[0].Retries = 1
	_, addr := startProxy(t, cfg)
	for range 4 {
		got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3*time.Second)
		if !strings.HasSuffix(got, "alive") {
			t.Fatalf("got %q", got)
		}
	}
}

func TestSlowlorisGets408(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPRequest = 300 * time.Millisecond
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Trickle a header line byte by byte, never finishing the head.
	go func() {
		for _, b := range []byte("GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaa") {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(c)
	if string(got) != builtinErrors[408] {
		t.Fatalf("got %q", got)
	}
}

func TestServerTimeout504AndBadResponse502(t *testing.T) {
	slow := startBackend(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(time.Second) })
	garbage := loopback.ServeEach(t, loopback.Listen(t), answerGarbage)
	cfg := seedConfig(slow.addr)
	cfg.Backends[0].Timeouts.Server = 200 * time.Millisecond
	_, addr := startProxy(t, cfg)
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second); got != builtinErrors[504] {
		t.Fatalf("504: got %q", got)
	}
	_, addr2 := startProxy(t, seedConfig(garbage))
	if got := rawExchange(t, addr2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second); got != builtinErrors[502] {
		t.Fatalf("502: got %q", got)
	}
}

func TestForwardForAndHeaders(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Forwarded-For")+"|"+r.Header.Get("X-Set")+"|"+r.Header.Get("X-Del"))
	})
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].RequestRules = []HeaderRule{{Action: SetHeader, Name: "X-Set", Value: "v"}, {Action: DelHeader, Name: "x-del"}}
	cfg.Frontends[0].ForwardFor = ForwardFor{Enabled: true, Header: "X-Forwarded-For", Except: netip.MustParsePrefix("10.0.0.0/8")}
	_, addr := startProxy(t, cfg)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Set: old\r\nX-Del: d\r\nConnection: close\r\n\r\n", 2*time.Second)
	if !strings.HasSuffix(got, "127.0.0.1|v|") {
		t.Fatalf("got %q", got)
	}
	// Clients inside the `except` network get no header (the seed's 127.0.0.0/8).
	cfg2 := keepAliveCfg(be.addr)
	cfg2.Frontends[0].ForwardFor = ForwardFor{Enabled: true, Header: "X-Forwarded-For", Except: netip.MustParsePrefix("127.0.0.0/8")}
	_, addr2 := startProxy(t, cfg2)
	if got := rawExchange(t, addr2, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second); !strings.HasSuffix(got, "\r\n\r\n||") {
		t.Fatalf("got %q", got)
	}
}

func TestDenyRule403(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].RequestRules = []HeaderRule{{Action: Deny}}
	_, addr := startProxy(t, cfg)
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second); got != builtinErrors[403] {
		t.Fatalf("got %q", got)
	}
}

// An idle kept-alive client connection is closed silently after
// `timeout http-keep-alive`, with no 408.
func TestKeepAliveTimeoutClosesSilently(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = 200 * time.Millisecond
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	if _, body := readResponse(t, br, "GET"); body != "ok" {
		t.Fatalf("body %q", body)
	}
	// A clean EOF before our own 3s deadline: the proxy closed it.
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	rest, err := io.ReadAll(br)
	if err != nil || len(rest) != 0 {
		t.Fatalf("after idle: %q %v", rest, err)
	}
}

// A server that ignores Expect and just waits for the body still gets it
// (after a short wait), and the client gets the final answer.
func TestExpectContinueServerIgnoresExpect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		b, _ := io.ReadAll(req.Body) // never sends 100 Continue
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(b)+4)+"\r\n\r\ngot:"+string(b))
	}()
	_, addr := startProxy(t, keepAliveCfg(ln.Addr().String()))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // the client waits for 100 a little, then sends anyway
	io.WriteString(c, "hello")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, body := readResponse(t, bufio.NewReader(c), "POST"); body != "got:hello" {
		t.Fatalf("body %q", body)
	}
}

// Shutdown closes kept-alive idle clients at once instead of waiting for
// their keep-alive timeout.
func TestShutdownClosesIdleClients(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = time.Minute
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	readResponse(t, br, "GET")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown waited for the idle client: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("idle client: %q %v", rest, err)
	}
}

func TestForwardForIfNoneAndCustomHeader(t *testing.T) {
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Join(r.Header.Values("X-Client"), ","))
	})
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].ForwardFor = ForwardFor{Enabled: true, Header: "X-Client", IfNone: true}
	_, addr := startProxy(t, cfg)
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Client: 1.2.3.4\r\nConnection: close\r\n\r\n", 2*time.Second); !strings.HasSuffix(got, "\r\n\r\n1.2.3.4") {
		t.Fatalf("if-none with header present: %q", got)
	}
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second); !strings.HasSuffix(got, "\r\n\r\n127.0.0.1") {
		t.Fatalf("if-none without header: %q", got)
	}
}
