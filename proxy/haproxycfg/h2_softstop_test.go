package haproxycfg

import (
	"context"
	"net"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"golang.org/x/net/http2"
)

const h2StopConfig = `defaults
    mode http
    timeout connect 2s
    timeout client 1s
    timeout server 5s
frontend fe
    bind H2C proto h2
    default_backend be
backend be
    server s1 WEB
`

// softStopEvents opens an HTTP/2 connection, completes one request,
// starts a second one (its server answers after 300 ms), runs stop, and
// returns what the client then sees until the connection closes: frames
// by kind (sorted: GOAWAY and the response race) and the end.
func softStopEvents(t *testing.T, addr string, stop func()) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fr := h2Start(c)
	get := func(path string) []byte {
		return h2Block(":method", "GET", ":scheme", "http", ":path", path, ":authority", "x")
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("/"), EndStream: true, EndHeaders: true})
	for done := false; !done; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("first request: %v", err)
		}
		if d, ok := f.(*http2.DataFrame); ok && d.StreamEnded() {
			done = true
		}
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: get("/slow"), EndStream: true, EndHeaders: true})
	time.Sleep(100 * time.Millisecond)
	stop()
	var ev []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				ev = append(ev, "then still open")
			} else {
				ev = append(ev, "then closed")
			}
			break
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			ev = append(ev, "GOAWAY("+f.ErrCode.String()+")")
		case *http2.MetaHeadersFrame:
			ev = append(ev, "HEADERS "+f.PseudoValue("status"))
		case *http2.DataFrame:
			if f.StreamEnded() {
				ev = append(ev, "END_STREAM")
			}
		}
	}
	sort.Strings(ev[:len(ev)-1])
	return strings.Join(ev, " ")
}

// TestH2SoftStop: on a soft stop (HAProxy's SIGUSR1, goha's Shutdown as
// on reload) an HTTP/2 connection gets GOAWAY(NO_ERROR), its stream in
// flight is answered, then the connection closes.
func TestH2SoftStop(t *testing.T) {
	t.Parallel()
	bin := testenv.LookPath(t, "haproxy")
	slow := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if strings.Contains(string(buf[:n]), "/slow") {
				time.Sleep(300 * time.Millisecond)
			}
			c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n"))
		}
	})
	mk := func() (string, string) {
		addr := loopback.FreeAddr(t)
		return addr, strings.NewReplacer("H2C", addr, "WEB", slow).Replace(h2StopConfig)
	}
	haAddr, cfg := mk()
	cmd, _ := startHAProxyProcess(t, bin, cfg, haAddr)
	t0 := time.Now()
	want := softStopEvents(t, haAddr, func() { cmd.Process.Signal(syscall.SIGUSR1) })

	t.Logf("haproxy: %v", time.Since(t0))
	t0 = time.Now()
	goAddr, cfg := mk()
	res := haproxy.CheckBytes("h.cfg", []byte(cfg), nil)
	px, err := proxy.New(Build(res.Config).Proxy, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	got := softStopEvents(t, goAddr, func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			stopped <- px.Shutdown(ctx)
		}()
	})
	t.Logf("goha: %v", time.Since(t0))
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if want != got || !strings.Contains(got, "GOAWAY(NO_ERROR)") {
		t.Errorf("after the soft stop: haproxy %q, goha %q", want, got)
	}
	t.Logf("after the soft stop: %s", got)
}
