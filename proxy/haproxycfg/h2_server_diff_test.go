package haproxycfg

import (
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// h2ServerConfig sends requests to HTTP/2 servers: one in clear text
// with prior knowledge (proto h2) and one over TLS choosing h2 by ALPN;
// clients come over HTTP/1.1 (FE) or HTTP/2 (FE2).
const h2ServerConfig = `global
    log LOGADDR local0
defaults
    mode http
    log global
    log-format "%ST %ts %b/%s %HM %HU"
    timeout connect 1s
    timeout client 3s
    timeout server 600ms
frontend fe
    bind FE
    bind FE2 proto h2
    use_backend tls if { path_beg /tls/ }
    default_backend h2c
backend h2c
    server s1 H2C proto h2
backend tls
    server s1 TLSWEB ssl verify none alpn h2,http/1.1
`

// h2Backend is Go's HTTP/2 server (h2c or TLS) recording what each
// request carried, by its x-id header, and answering by path.
type h2Backend struct {
	mu    sync.Mutex
	seen  map[string]string
	conns atomic.Int64
}

func (b *h2Backend) handler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var hs []string
	for k, v := range r.Header {
		hs = append(hs, k+": "+strings.Join(v, ","))
	}
	sort.Strings(hs)
	b.mu.Lock()
	b.seen[r.Header.Get("X-Id")] = fmt.Sprintf("%s %s %s host=%s len=%d\n%s\nbody %q trailers %v",
		r.Proto, r.Method, r.RequestURI, r.Host, r.ContentLength, strings.Join(hs, "\n"), body, r.Trailer)
	b.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/stream"):
		w.Header().Set("X-Foo", "bar")
		io.WriteString(w, "part one,")
		w.(http.Flusher).Flush()
		io.WriteString(w, " part two")
	case strings.HasSuffix(r.URL.Path, "/trailers"):
		w.Header().Set("Trailer", "X-T")
		io.WriteString(w, "hello")
		w.(http.Flusher).Flush()
		w.Header().Set("X-T", "v")
	case strings.HasSuffix(r.URL.Path, "/big"):
		io.WriteString(w, strings.Repeat("0123456789abcdef", 20000)) // past every window
	case strings.HasSuffix(r.URL.Path, "/204"):
		w.WriteHeader(204)
	case strings.HasSuffix(r.URL.Path, "/404"):
		http.Error(w, "not here", 404)
	case strings.HasSuffix(r.URL.Path, "/rst"):
		panic(http.ErrAbortHandler) // RST_STREAM before any response
	case strings.HasSuffix(r.URL.Path, "/rstmid"):
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "cut")
		w.(http.Flusher).Flush()
		time.Sleep(50 * time.Millisecond)
		panic(http.ErrAbortHandler) // RST_STREAM in the body
	case strings.HasSuffix(r.URL.Path, "/slow"):
		time.Sleep(time.Second) // past timeout server
	default:
		w.Header().Set("X-Foo", "bar")
		fmt.Fprintf(w, "seen %s %s %d\n", r.Method, r.URL.Path, len(body))
	}
}

// shortLines replaces the long lines of a description (bodies) with
// their length and digest.
func shortLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if len(l) > 200 {
			lines[i] = fmt.Sprintf("%.40s... (%d bytes, sha256 %x)", l, len(l), sha256.Sum256([]byte(l)))
		}
	}
	return strings.Join(lines, "\n")
}

func (b *h2Backend) get(id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen[id]
}

// startH2Backend serves HTTP/2 only: in clear text with prior knowledge,
// or over TLS with certFile offering h2 and http/1.1.
func startH2Backend(t *testing.T, certFile string) (*h2Backend, string) {
	t.Helper()
	b := &h2Backend{seen: map[string]string{}}
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(b.handler), ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				b.conns.Add(1)
			}
		}}
	var p http.Protocols
	if certFile == "" {
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
		go srv.Serve(ln)
	} else {
		cert := pemCert(t, certFile)
		p.SetHTTP1(true)
		p.SetHTTP2(true)
		srv.Protocols = &p
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		go srv.ServeTLS(ln, "", "")
	}
	t.Cleanup(func() { srv.Close() })
	return b, ln.Addr().String()
}

type h2SrvSide struct {
	fe, fe2   string
	h2c, tls  *h2Backend
	logs      func() []string
	h2cServer string
}

// startH2ServerPair starts HAProxy and goha on h2ServerConfig, each with
// its own pair of backends.
func startH2ServerPair(t *testing.T) (ha, goha h2SrvSide) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	mk := func(logAddr string) (h2SrvSide, string) {
		var s h2SrvSide
		var h2c, web string
		s.h2c, h2c = startH2Backend(t, "")
		s.tls, web = startH2Backend(t, filepath.Join(pki.Dir, "a.pem"))
		s.fe, s.fe2, s.h2cServer = loopback.FreeAddr(t), loopback.FreeAddr(t), h2c
		return s, strings.NewReplacer("H2C", h2c, "TLSWEB", web, "FE2", s.fe2, "FE", s.fe, "LOGADDR", logAddr).Replace(h2ServerConfig)
	}
	haLogs := loopback.ListenUDP(t)
	var cfg string
	ha, cfg = mk(haLogs.LocalAddr().String())
	ha.logs = startHAProxyLogged(t, cfg, ha.fe, haLogs)
	goha, cfg = mk("127.0.0.1:9")
	goha.logs = startGohaLogged(t, cfg)
	return ha, goha
}

// startHAProxyLogged starts HAProxy on cfg, which logs to logs; the
// function returned gives the log lines (their message part) received
// since its last call.
func startHAProxyLogged(t *testing.T, cfg, addr string, logs *net.UDPConn) func() []string {
	t.Helper()
	difftest.StartHAProxy(t, cfg, addr)
	var lines lineLog
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := logs.Read(buf)
			if err != nil {
				return
			}
			line := string(buf[:n])
			if i := strings.Index(line, "]: "); i >= 0 {
				line = line[i+3:]
			}
			lines.add(strings.TrimSpace(line))
		}
	}()
	lines.take() // the start probe's own line
	return lines.take
}

// startGohaLogged runs goha on cfg; the function returned gives its log
// lines since its last call, as "%ST %ts %b/%s %HM %HU" formats them.
func startGohaLogged(t *testing.T, cfg string) func() []string {
	t.Helper()
	var lines lineLog
	gohaRun(t, cfg, false, func(*Plan) proxy.Options {
		return proxy.Options{
			Logs: func(string) bool { return true },
			Log: func(e *proxy.LogEntry) {
				srv := e.Server
				if srv == "" {
					srv = "<NOSRV>"
				}
				lines.add(fmt.Sprintf("%d %s %s/%s %s %s", e.Status, e.Term[:], e.Backend, srv, e.Method, e.Target))
			},
		}
	})
	return lines.take
}

// TestH2ServerDifferential sends the same requests through HAProxy 2.6
// and goha to HTTP/2 servers (h2c prior knowledge, and TLS with ALPN),
// from HTTP/1.1 and HTTP/2 clients: what the server received (method,
// path, authority, headers, body, trailers), what the client got, and
// the log lines. Also a server's RST_STREAM before and during the
// response, and a server too slow for timeout server.
func TestH2ServerDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	ha, goha := startH2ServerPair(t)
	type reqCase struct {
		id, method, path, body string
		hdr                    [][2]string
		noLength, trailer      bool
	}
	cases := []reqCase{
		{id: "get", method: "GET", path: "/p?q=1", hdr: [][2]string{{"X-A", "b"}, {"Cookie", "a=1"}, {"Connection", "keep-alive, x-hop"}, {"X-Hop", "1"}}},
		{id: "post", method: "POST", path: "/post", body: "abc", hdr: [][2]string{{"Content-Type", "text/plain"}}},
		{id: "chunkedup", method: "PUT", path: "/up", body: strings.Repeat("x", 40000), noLength: true},
		{id: "bigup", method: "POST", path: "/bigup", body: strings.Repeat("y", 300000)},
		{id: "reqtrailer", method: "POST", path: "/rt", body: "with a trailer", noLength: true, trailer: true},
		{id: "head", method: "HEAD", path: "/h"},
		{id: "stream", method: "GET", path: "/stream"},
		{id: "trailers", method: "GET", path: "/trailers", hdr: [][2]string{{"Te", "trailers"}}},
		{id: "big", method: "GET", path: "/big"},
		{id: "204", method: "GET", path: "/204"},
		{id: "404", method: "GET", path: "/404"},
		{id: "rst", method: "GET", path: "/rst"},
		{id: "rstmid", method: "GET", path: "/rstmid"},
		{id: "tls", method: "POST", path: "/tls/x", body: "over tls"},
		{id: "tlsbig", method: "GET", path: "/tls/big"},
		{id: "slow", method: "GET", path: "/slow"},
	}
	run := func(side h2SrvSide, h2 bool) (map[string]string, []string) {
		c := &http.Client{Timeout: 5 * time.Second}
		base := "http://" + side.fe
		if h2 {
			c = h2Client(t, testPKI{}, side.fe2, false)
			base = "http://" + side.fe2
		}
		out := map[string]string{}
		for _, rc := range cases {
			if h2 && rc.id == "rst" {
				continue // refused, and retried by the client: below
			}
			var body io.Reader
			if rc.body != "" {
				body = strings.NewReader(rc.body)
				if rc.noLength {
					body = io.MultiReader(body)
				}
			}
			req, _ := http.NewRequest(rc.method, base+rc.path, body)
			req.Host = "a.example.test"
			for _, h := range rc.hdr {
				if h2 && h[0] == "Connection" {
					continue // not HTTP/2: Go's client refuses it
				}
				req.Header.Add(h[0], h[1])
			}
			id := fmt.Sprintf("%s-%v", rc.id, h2)
			req.Header.Set("X-Id", id)
			if rc.trailer {
				req.Trailer = http.Header{"X-Rt": nil}
				req.Body = io.NopCloser(&trailerReader{r: strings.NewReader(rc.body), set: func() { req.Trailer.Set("X-Rt", "v") }})
			}
			d := describe(c.Do(req))
			rec := side.h2c.get(id)
			if strings.HasPrefix(rc.path, "/tls/") {
				rec = side.tls.get(id)
			}
			out[rc.id] = shortLines(d + "\n--- server saw:\n" + rec)
		}
		time.Sleep(200 * time.Millisecond) // a loaded machine: the last lines are logged after their response
		return out, side.logs()
	}
	for _, h2 := range []bool{false, true} {
		name := map[bool]string{false: "h1 client", true: "h2 client"}[h2]
		want, wantLogs := run(ha, h2)
		got, gotLogs := run(goha, h2)
		for _, rc := range cases {
			if want[rc.id] != got[rc.id] {
				t.Errorf("%s %s:\nhaproxy: %s\ngoha:    %s", name, rc.id, want[rc.id], got[rc.id])
			}
		}
		// A stream's log line follows its response: with HTTP/2 clients
		// the next request may be logged first, in either daemon.
		sort.Strings(wantLogs)
		sort.Strings(gotLogs)
		if strings.Join(wantLogs, "\n") != strings.Join(gotLogs, "\n") {
			t.Errorf("%s logs:\nhaproxy:\n%s\ngoha:\n%s", name, strings.Join(wantLogs, "\n"), strings.Join(gotLogs, "\n"))
		}
		if !strings.Contains(got["get"], "HTTP/2.0 GET /p?q=1 host=a.example.test") {
			t.Errorf("%s: the server did not get HTTP/2: %s", name, got["get"])
		}
	}
	// curl, both ways.
	curl := func(args ...string) string {
		out, err := exec.Command("curl", append([]string{"-sS", "-i", "--max-time", "5", "-H", "X-Id: curl"}, args...)...).CombinedOutput()
		if err != nil {
			return "curl failed: " + string(out)
		}
		var keep []string
		for _, l := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(strings.ToLower(l), "date:") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if _, err := exec.LookPath("curl"); err == nil {
		for _, path := range []string{"/p", "/stream", "/tls/p"} {
			w, g := curl("http://"+ha.fe+path), curl("http://"+goha.fe+path)
			if w != g {
				t.Errorf("curl %s:\nhaproxy: %s\ngoha:    %s", path, w, g)
			}
			w, g = curl("--http2-prior-knowledge", "http://"+ha.fe2+path), curl("--http2-prior-knowledge", "http://"+goha.fe2+path)
			if w != g {
				t.Errorf("curl --http2-prior-knowledge %s:\nhaproxy: %s\ngoha:    %s", path, w, g)
			}
		}
		// A body behind Expect: 100-continue, and a chunked upload.
		for _, args := range [][]string{{"-H", "Expect: 100-continue", "-d", "hello"}, {"-H", "Transfer-Encoding: chunked", "-d", "chunks"}} {
			w, g := curl(append(args, "http://"+ha.fe+"/post")...), curl(append(args, "http://"+goha.fe+"/post")...)
			if w != g {
				t.Errorf("curl %q:\nhaproxy: %s\ngoha:    %s", args, w, g)
			}
			if w, g := strings.ReplaceAll(ha.h2c.get("curl"), ha.fe, "FE"), strings.ReplaceAll(goha.h2c.get("curl"), goha.fe, "FE"); w != g {
				t.Errorf("curl %q, the server saw:\nhaproxy: %s\ngoha:    %s", args, w, g)
			}
		}
		ha.logs()
		goha.logs()
	}
	// A WebSocket upgrade to an HTTP/2 server.
	ws := func(fe string) string {
		raw := "GET /ws HTTP/1.1\r\nHost: a\r\nX-Id: ws\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
		out, _ := difftest.Exchange(fe, []byte(raw), time.Second)
		return string(out)
	}
	if w, g := ws(ha.fe), ws(goha.fe); w != g {
		t.Errorf("websocket upgrade:\nhaproxy: %s %q\ngoha:    %s %q", w, ha.logs(), g, goha.logs())
	}
	ha.logs()
	goha.logs()
	// A server's reset before the response refuses an HTTP/2 client's
	// stream (the client may retry), and nothing is logged.
	for _, s := range []h2SrvSide{ha, goha} {
		out, _ := exec.Command("curl", "-sv", "--max-time", "5", "--http2-prior-knowledge", "http://"+s.fe2+"/rst").CombinedOutput()
		if !strings.Contains(string(out), "REFUSED_STREAM") {
			t.Errorf("%s: /rst over HTTP/2 not refused:\n%s", s.fe2, out)
		}
		if l := s.logs(); len(l) != 0 {
			t.Errorf("%s: /rst over HTTP/2 logged %q", s.fe2, l)
		}
	}
	t.Logf("h2c server connections: haproxy %d, goha %d", ha.h2c.conns.Load(), goha.h2c.conns.Load())
}

// TestH2ServerStreamLimit: a server allowing 2 streams per connection
// gets 6 requests at once through HAProxy 2.6 and goha: every request is
// answered (none refused past the limit), on more connections.
func TestH2ServerStreamLimit(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	start := func() (string, *atomic.Int64, *atomic.Int64) {
		var conns, peak, cur atomic.Int64
		ln := loopback.Listen(t)
		srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 2},
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := cur.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(150 * time.Millisecond)
				cur.Add(-1)
				io.WriteString(w, "ok")
			}),
			ConnState: func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}}
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return ln.Addr().String(), &conns, &peak
	}
	const cfgText = `defaults
    mode http
    timeout connect 1s
    timeout client 3s
    timeout server 3s
frontend fe
    bind FE
    default_backend be
backend be
    server s1 SRV proto h2
`
	run := func(fe string) []string {
		out := make([]string, 6)
		var wg sync.WaitGroup
		for i := range out {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + fe + "/")
				if err != nil {
					out[i] = err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				out[i] = fmt.Sprintf("%d %s", resp.StatusCode, b)
			}()
		}
		wg.Wait()
		return out
	}
	haSrv, haConns, _ := start()
	haFE := loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.NewReplacer("FE", haFE, "SRV", haSrv).Replace(cfgText), haFE)
	goSrv, goConns, goPeak := start()
	goFE := loopback.FreeAddr(t)
	runPlan(t, strings.NewReplacer("FE", goFE, "SRV", goSrv).Replace(cfgText))
	want, got := run(haFE), run(goFE)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("haproxy %q\ngoha    %q", want, got)
	}
	if goConns.Load() < 3 {
		t.Errorf("goha opened %d connections for 6 streams at a limit of 2", goConns.Load())
	}
	t.Logf("server connections: haproxy %d, goha %d; goha's peak of concurrent requests %d", haConns.Load(), goConns.Load(), goPeak.Load())
}
