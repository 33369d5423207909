package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
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
		got = strings.Join(lines, "|")
		mu.Unlock()
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
