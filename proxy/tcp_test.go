package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/balance"
)

// echoHalfClose echoes everything and, once the client half-closes, writes
// "bye" and closes: it proves both directions and the half-close travel.
func echoHalfClose(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		io.Copy(c, c)
		io.WriteString(c, "bye")
	})
}

func tcpConfig(server string) *Config {
	to := Timeouts{Client: 2 * time.Second, Server: 2 * time.Second, Connect: time.Second}
	return &Config{
		Frontends: []*Frontend{{Name: "ft", Binds: []string{"127.0.0.1:0"}, Mode: ModeTCP, Timeouts: to, DefaultBackend: "bt"}},
		Backends: []*Backend{{Name: "bt", Mode: ModeTCP, Timeouts: to, Retries: 3, Balance: balance.Spec{Algorithm: "roundrobin"},
			Servers: []*Server{{Name: "s1", Addr: server, Weight: 1}}}},
	}
}

func TestTCPEchoAndHalfClose(t *testing.T) {
	p, addr := startProxy(t, tcpConfig(echoHalfClose(t)))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := strings.Repeat("x", 200000)
	go func() {
		io.WriteString(c, payload)
		c.(*net.TCPConn).CloseWrite()
	}()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != payload+"bye" {
		t.Fatalf("len %d err %v", len(got), err)
	}
	// Counters are added when the relay ends; poll briefly for the session to finish.
	for i := 0; i < 100 && p.Frontends()[0].Stats.CurSessions != 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	st := p.Frontends()[0].Stats
	if st.BytesIn != int64(len(payload)) || st.BytesOut != int64(len(payload)+3) || st.Sessions != 1 {
		t.Fatalf("stats %+v", st)
	}
	if bst := p.Backends()[0].Stats; bst.BytesIn != st.BytesIn || bst.BytesOut != st.BytesOut || bst.Sessions != 1 {
		t.Fatalf("backend stats %+v", bst)
	}
}

// The server's clock runs out first (sD): the client gets the FIN. With
// equal timeouts the client's may run out first, as in HAProxy: the
// server then gets a FIN and its "bye" still reaches the client.
func TestTCPIdleTimeoutClosesBothSides(t *testing.T) {
	cfg := tcpConfig(echoHalfClose(t))
	cfg.Frontends[0].Timeouts.Client = 400 * time.Millisecond
	cfg.Backends[0].Timeouts.Server = 200 * time.Millisecond
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "ping")
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	got, err := io.ReadAll(c) // ends when the proxy closes the idle session
	if err != nil || string(got) != "ping" {
		t.Fatalf("got %q err %v", got, err)
	}
}

func TestWebSocketUpgradeTunnel(t *testing.T) {
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
		if err != nil || req.Header.Get("Upgrade") != "websocket" {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: a\r\n\r\n")
		line, _ := br.ReadString('\n')
		io.WriteString(c, "echo:"+line)
	}()
	cfg := keepAliveCfg(ln.Addr().String())
	cfg.Backends[0].Timeouts.Tunnel = 2 * time.Second
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n")
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("resp %v err %v", resp, err)
	}
	io.WriteString(c, "frame\n")
	if line, _ := br.ReadString('\n'); line != "echo:frame\n" {
		t.Fatalf("tunnel got %q", line)
	}
}

// A frontend maxconn of 1 makes the second client wait in the accept
// queue, not fail: it is served once the first one leaves.
func TestMaxConnQueuesInsteadOfRefusing(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].MaxConn = 1
	_, addr := startProxy(t, cfg)
	c1, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c1, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, bufio.NewReader(c1), "GET") // c1 now holds the only slot (kept alive)
	c2, err := net.Dial("tcp", addr)            // the kernel completes the handshake
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	c2.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _ := c2.Read(make([]byte, 10)); n != 0 {
		t.Fatal("second connection served beyond maxconn")
	}
	c1.Close()
	c2.SetReadDeadline(time.Now().Add(3 * time.Second))
	got, _ := io.ReadAll(c2)
	if !strings.HasSuffix(string(got), "ok") {
		t.Fatalf("queued client got %q", got)
	}
}

func openFDs() int {
	ents, _ := os.ReadDir("/proc/self/fd")
	return len(ents)
}

// After many requests and Shutdown, no goroutine or descriptor is left.
func TestNoLeakAfterManyRequests(t *testing.T) {
	b1, b2 := textBackend(t, "a"), textBackend(t, "b")
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	client := &http.Client{Transport: tr}
	fds, gs := openFDs(), runtime.NumGoroutine()
	cfg := seedConfig(b1.addr, b2.addr)
	cfg.Frontends[0].ConnMode, cfg.Backends[0].ConnMode = KeepAlive, KeepAlive
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + p.Addrs()[0].String() + "/"
	const n = 2000
	done := make(chan error, 4)
	for range 4 {
		go func() {
			for range n / 4 {
				resp, err := client.Get(url)
				if err != nil {
					done <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := p.Frontends()[0].Stats.HRsp2xx; got != n {
		t.Fatalf("2xx = %d, want %d", got, n)
	}
	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b1.srv.Close()
	b2.srv.Close()
	var lastG, lastF int
	for range 100 {
		lastG, lastF = runtime.NumGoroutine(), openFDs()
		if lastG <= gs && lastF <= fds {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("goroutines %d (was %d), fds %d (was %d)\n%s", lastG, gs, lastF, fds, buf[:runtime.Stack(buf, true)])
}

func TestShutdownFinishesInFlight(t *testing.T) {
	release := make(chan struct{})
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "finished")
	})
	p, err := New(keepAliveCfg(be.addr), Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	addr := p.Addrs()[0].String()
	res := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			res <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		res <- string(b)
	}()
	for p.Backends()[0].Servers[0].Stats.CurSessions == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	shut := make(chan error, 1)
	go func() { shut <- p.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	close(release)
	if got := <-res; got != "finished" {
		t.Fatalf("in-flight request got %q", got)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
}

func TestErrorFile(t *testing.T) {
	f := t.TempDir() + "/503.http"
	raw := "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nsorry"
	if err := os.WriteFile(f, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := seedConfig(loopback.DeadAddr(t))
	cfg.Backends[0].ErrorFiles = map[int]string{503: f}
	_, addr := startProxy(t, cfg)
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second); got != raw {
		t.Fatalf("got %q", got)
	}
	cfg.Backends[0].ErrorFiles = map[int]string{503: f + ".missing"}
	if _, err := New(cfg, Options{NewBalancer: newTestBalancer}); err == nil {
		t.Fatal("missing errorfile accepted")
	}
	_ = fmt.Sprint()
}

// The global maxconn is shared by all frontends: with its one slot taken by a
// client of the first frontend, the second frontend's client waits.
func TestGlobalMaxConnSharedAcrossFrontends(t *testing.T) {
	echo := echoHalfClose(t)
	cfg := tcpConfig(echo)
	second := *cfg.Frontends[0]
	second.Name = "ft2"
	cfg.Frontends = append(cfg.Frontends, &second)
	cfg.MaxConn = 1
	p, _ := startProxy(t, cfg)
	addrs := p.Addrs()
	c1, err := net.Dial("tcp", addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c1, "a")
	c1.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadFull(c1, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	c2, err := net.Dial("tcp", addrs[1].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	io.WriteString(c2, "b")
	c2.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _ := c2.Read(make([]byte, 1)); n != 0 {
		t.Fatal("second frontend served beyond the global maxconn")
	}
	c1.Close()
	c2.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadFull(c2, make([]byte, 1)); err != nil {
		t.Fatalf("queued client not served: %v", err)
	}
}
