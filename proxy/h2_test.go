package proxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/balance"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestH2Logged: an HTTP/2 request is logged as HAProxy 2.6 logs it
// (measured: "GET http://127.0.0.1:28443/p?q=1 HTTP/2.0"): the absolute
// target from :scheme and :authority, version HTTP/2.0, its method even
// once a body went through the session's buffer; one connection counts
// one session.
func TestH2Logged(t *testing.T) {
	web := textBackend(t, "ok")
	cfg := seedConfig(web.addr)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	var mu sync.Mutex
	var lines []string
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Log: func(e *LogEntry) {
		mu.Lock()
		lines = append(lines, string(e.Method)+" "+string(e.Target)+" "+string(e.Version))
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	addr := p.Addrs()[0].String()
	var prot http.Protocols
	prot.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &prot, MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for _, body := range []string{"", strings.Repeat("b", 40000)} {
		var resp *http.Response
		var err error
		if body == "" {
			resp, err = c.Get("http://" + addr + "/p?q=1")
		} else {
			resp, err = c.Post("http://"+addr+"/up", "text/plain", strings.NewReader(body))
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("%s %d %q", resp.Proto, resp.StatusCode, b)
		}
	}
	want := "GET http://" + addr + "/p?q=1 HTTP/2.0|POST http://" + addr + "/up HTTP/2.0"
	var got string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		// Each stream logs when it ends, on its own goroutine: the GET's
		// line may come after the POST's even though its answer came first.
		sorted := slices.Clone(lines)
		mu.Unlock()
		slices.Sort(sorted)
		got = strings.Join(sorted, "|")
		if got == want {
			break
		}
	}
	if got != want {
		t.Errorf("logged %q, want %q", got, want)
	}
	if n := p.frontends[0].stats.sessions.Load(); n != 1 {
		t.Errorf("%d sessions counted for one HTTP/2 connection", n)
	}
	if n := p.frontends[0].stats.requests.Load(); n != 2 {
		t.Errorf("%d requests counted, want 2", n)
	}
}

// TestH2ClientReset: a client that resets its stream while the server
// has not answered frees the server connection at once, and the proxy
// stops without waiting for the server's timeout.
func TestH2ClientReset(t *testing.T) {
	closed := make(chan struct{}, 1)
	ln := loopback.Listen(t)
	srv := loopback.ServeEach(t, ln, func(c net.Conn) {
		buf := make([]byte, 4096)
		c.Read(buf) // the request; never answered
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(buf); err != nil {
			closed <- struct{}{}
		}
	})
	cfg := seedConfig(srv)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	p, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fr := http2.NewFramer(c, c)
	c.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
	var b bytes.Buffer
	e := hpack.NewEncoder(&b)
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "x"}} {
		e.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b.Bytes(), EndStream: true, EndHeaders: true})
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	fr.WriteRSTStream(1, http2.ErrCodeCancel)
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("the server connection stayed open after the client's RST_STREAM")
	}
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// pickRecorder balances to the first server and records what the
// request's Header and LastHeader give for x-pick.
type pickRecorder struct {
	mu      sync.Mutex
	seen    []string
	servers []*balance.Server
}

func (b *pickRecorder) Pick(r *balance.Request) *balance.Server {
	v, _ := r.Header("x-pick")
	last, _ := r.LastHeader("x-pick")
	b.mu.Lock()
	b.seen = append(b.seen, v+"/"+last)
	b.mu.Unlock()
	return b.servers[0]
}

func (b *pickRecorder) Update() {}

// TestH2StreamBalanceHeaders: a balancer reading headers (balance hdr)
// sees its own stream's request, with streams running at once on one
// connection (the header readers are bound once per pooled scratch and
// lent to each stream's session).
func TestH2StreamBalanceHeaders(t *testing.T) {
	web := textBackend(t, "ok")
	cfg := seedConfig(web.addr)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	rec := &pickRecorder{}
	p, err := New(cfg, Options{NewBalancer: func(_ balance.Spec, servers []*balance.Server) (balance.Balancer, error) {
		rec.servers = servers
		return rec, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	var prot http.Protocols
	prot.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &prot, MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var want []string
	var wg sync.WaitGroup
	for i := range 16 {
		v := strconv.Itoa(i)
		want = append(want, v+"/"+v)
		wg.Go(func() {
			req, _ := http.NewRequest("GET", "http://"+p.Addrs()[0].String()+"/", nil)
			req.Header.Set("x-pick", v)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
	rec.mu.Lock()
	got := slices.Clone(rec.seen)
	rec.mu.Unlock()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("balancer saw %q, want %q", got, want)
	}
}
