package haproxycfg

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// h2DiffConfig serves HTTP/2 on a clear bind (proto h2, H2C) and a TLS
// bind offering h2 and http/1.1 by ALPN (H2S), both in front of one
// recording HTTP/1.1 server (REC).
const h2DiffConfig = `global
    crt-base PKIDIR
    tune.h2.max-concurrent-streams 20
defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind H2C proto h2
    bind H2S ssl crt a.pem alpn h2,http/1.1
    http-request return status 200 content-type text/plain string alpn-h2 if { path /alpn } { ssl_fc_alpn h2 }
    http-request return status 200 content-type text/plain string ver-2.0 if { path /ver } { req.ver 2.0 }
    http-response set-header x-added yes
    default_backend be
backend be
    server s1 REC
`

// h2Recorder is an HTTP/1.1 server that records each request's raw bytes
// by its x-id header and answers by path.
type h2Recorder struct {
	mu   sync.Mutex
	seen map[string]string
}

func startH2Recorder(t *testing.T) (*h2Recorder, string) {
	r := &h2Recorder{seen: map[string]string{}}
	addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		var raw bytes.Buffer
		br := bufio.NewReader(io.TeeReader(c, &raw))
		for {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(req.Body)
			// The head's field lines sorted (clients order them as they
			// like), the body decoded (chunk sizes follow read sizes).
			head, _, _ := strings.Cut(raw.String(), "\r\n\r\n")
			lines := strings.Split(head, "\r\n")
			sort.Strings(lines[1:])
			r.mu.Lock()
			r.seen[req.Header.Get("X-Id")] = fmt.Sprintf("%s\nbody %d bytes, trailers %v", strings.Join(lines, "\n"), len(body), req.Trailer)
			r.mu.Unlock()
			raw.Reset()
			var resp string
			switch req.URL.Path {
			case "/chunked":
				resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Foo: Bar\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
			case "/trailers":
				resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-t\r\n\r\n5\r\nhello\r\n0\r\nx-t: v\r\n\r\n"
			case "/204":
				resp = "HTTP/1.1 204 No Content\r\nX-Foo: Bar\r\n\r\n"
			case "/close":
				c.Write([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\nX-Foo: Bar\r\n\r\nuntil close"))
				return
			case "/big":
				body := strings.Repeat("0123456789abcdef", 20000) // past every window
				resp = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			default:
				body := "seen " + req.Method + " " + req.URL.Path + "\n"
				resp = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Foo: Bar\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n%s", len(body), body)
			}
			if _, err := c.Write([]byte(resp)); err != nil {
				return
			}
		}
	})
	return r, addr
}

func (r *h2Recorder) get(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[id]
}

type h2Side struct {
	clear, tls string
	rec        *h2Recorder
}

func startH2Both(t *testing.T) (pki testPKI, ha, goha h2Side) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "curl")
	pki = newTestPKI(t)
	mk := func() (h2Side, string) {
		var s h2Side
		var rec string
		s.rec, rec = startH2Recorder(t)
		s.clear, s.tls = loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := strings.NewReplacer("PKIDIR", pki.Dir, "REC", rec, "H2C", s.clear, "H2S", s.tls).Replace(h2DiffConfig)
		return s, cfg
	}
	var cfg string
	ha, cfg = mk()
	difftest.StartHAProxy(t, cfg, ha.clear)
	goha, cfg = mk()
	runPlan(t, cfg)
	return pki, ha, goha
}

// h2Client is Go's HTTP/2 client (net/http, which bundles x/net's) on
// one connection to addr: clear text with prior knowledge, or TLS with
// the test CA offering only h2.
func h2Client(t *testing.T, pki testPKI, addr string, useTLS bool) *http.Client {
	t.Helper()
	var p http.Protocols
	tr := &http.Transport{MaxConnsPerHost: 1}
	if useTLS {
		pool := x509.NewCertPool()
		ca, err := os.ReadFile(pki.CA)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(ca)
		p.SetHTTP2(true)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "a.example.test"}
		tr.DialTLSContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			d := tls.Dialer{Config: &tls.Config{RootCAs: pool, ServerName: "a.example.test", NextProtos: []string{"h2"}}}
			return d.DialContext(ctx, network, addr)
		}
	} else {
		p.SetUnencryptedHTTP2(true)
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
	}
	tr.Protocols = &p
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// trailerReader sets the request's trailer value when the body ends, as
// net/http asks.
type trailerReader struct {
	r   io.Reader
	set func()
}

func (t *trailerReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		t.set()
	}
	return n, err
}

// describe is what a client sees of a response: status, headers (date
// left out) and body, as one comparable text.
func describe(resp *http.Response, err error) string {
	if err != nil {
		return "error"
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "body error"
	}
	var hs []string
	for k, v := range resp.Header {
		if k != "Date" {
			hs = append(hs, k+": "+strings.Join(v, ","))
		}
	}
	sort.Strings(hs)
	tr := ""
	for k, v := range resp.Trailer {
		tr += " trailer " + k + "=" + strings.Join(v, ",")
	}
	return fmt.Sprintf("%s %d\n%s\n%s%s", resp.Proto, resp.StatusCode, strings.Join(hs, "\n"), body, tr)
}

// TestH2Differential sends the same requests over HTTP/2 to HAProxy 2.6
// and to goha, clear (prior knowledge) and over TLS (ALPN h2), with
// curl and with x/net's client, several streams at once on one
// connection: same responses at the client, same HTTP/1.1 requests at
// the server.
func TestH2Differential(t *testing.T) {
	t.Parallel()
	pki, ha, goha := startH2Both(t)
	type reqCase struct {
		id, method, path, body string
		hdr                    [][2]string
		noLength               bool // body sent without content-length
		trailer                bool // a request trailer x-rt: v follows the body
	}
	cases := []reqCase{
		{id: "get", method: "GET", path: "/p?q=1", hdr: [][2]string{{"X-A", "b"}, {"Cookie", "a=1"}, {"Cookie", "b=2"}}},
		{id: "post", method: "POST", path: "/post", body: "abc", hdr: [][2]string{{"Content-Type", "text/plain"}}},
		{id: "chunkedup", method: "PUT", path: "/up", body: strings.Repeat("x", 40000), noLength: true},
		{id: "bigup", method: "POST", path: "/bigup", body: strings.Repeat("y", 300000)}, // past every window
		{id: "reqtrailer", method: "POST", path: "/rt", body: "with a trailer", noLength: true, trailer: true},
		{id: "head", method: "HEAD", path: "/h"},
		{id: "chunked", method: "GET", path: "/chunked"},
		{id: "trailers", method: "GET", path: "/trailers"},
		{id: "204", method: "GET", path: "/204"},
		{id: "close", method: "GET", path: "/close"},
		{id: "big", method: "GET", path: "/big"},
		{id: "alpn", method: "GET", path: "/alpn"},
		{id: "ver", method: "GET", path: "/ver"},
		{id: "te", method: "GET", path: "/te", hdr: [][2]string{{"Te", "trailers"}}},
	}
	run := func(side h2Side, useTLS bool, suffix string) map[string]string {
		c := h2Client(t, pki, side.clear, false)
		base := "http://" + side.clear
		if useTLS {
			_, port, _ := net.SplitHostPort(side.tls)
			base = "https://a.example.test:" + port
			c = h2Client(t, pki, side.tls, true)
		}
		out := map[string]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, rc := range cases {
			wg.Add(1)
			go func() { // concurrent streams on the one connection
				defer wg.Done()
				var body io.Reader
				if rc.body != "" {
					body = strings.NewReader(rc.body)
					if rc.noLength {
						body = io.MultiReader(body) // unknown length
					}
				}
				req, _ := http.NewRequest(rc.method, base+rc.path, body)
				for _, h := range rc.hdr {
					req.Header.Add(h[0], h[1])
				}
				req.Header.Set("X-Id", rc.id+suffix)
				if rc.trailer {
					req.Trailer = http.Header{"X-Rt": nil}
					req.Body = io.NopCloser(&trailerReader{r: strings.NewReader(rc.body), set: func() { req.Trailer.Set("X-Rt", "v") }})
				}
				d := describe(c.Do(req))
				rec := side.rec.get(rc.id + suffix)
				rec = strings.ReplaceAll(rec, side.clear, "PROXY")
				rec = strings.ReplaceAll(rec, side.tls[strings.LastIndex(side.tls, ":")+1:], "PORT")
				mu.Lock()
				out[rc.id] = d + "\n--- server saw:\n" + rec
				mu.Unlock()
			}()
		}
		wg.Wait()
		return out
	}
	for _, useTLS := range []bool{false, true} {
		name := map[bool]string{false: "h2c", true: "tls"}[useTLS]
		want, got := run(ha, useTLS, name), run(goha, useTLS, name)
		if !strings.Contains(got["reqtrailer"], "trailers map[X-Rt:[v]]") {
			t.Errorf("%s: the request trailer did not reach the server: %s", name, got["reqtrailer"])
		}
		if !strings.Contains(got["ver"], "ver-2.0") {
			t.Errorf("%s: req.ver is not 2.0: %s", name, got["ver"])
		}
		if !strings.Contains(got["trailers"], "trailer X-T=v") {
			t.Errorf("%s: the response trailer did not come through: %s", name, got["trailers"])
		}
		for _, rc := range cases {
			if want[rc.id] != got[rc.id] {
				t.Errorf("%s %s:\nhaproxy: %s\ngoha:    %s", name, rc.id, want[rc.id], got[rc.id])
			}
		}
	}
	// curl, both ways.
	curl := func(side h2Side, args ...string) string {
		out, err := exec.Command("curl", append([]string{"-sS", "-i", "--max-time", "5"}, args...)...).CombinedOutput()
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
	for _, path := range []string{"/p", "/chunked", "/alpn"} {
		w := curl(ha, "--http2-prior-knowledge", "-H", "X-Id: curl", "http://"+ha.clear+path)
		g := curl(goha, "--http2-prior-knowledge", "-H", "X-Id: curl", "http://"+goha.clear+path)
		if w != g {
			t.Errorf("curl --http2-prior-knowledge %s:\nhaproxy: %s\ngoha:    %s", path, w, g)
		}
		tlsArgs := func(s h2Side) []string {
			_, port, _ := net.SplitHostPort(s.tls)
			return []string{"--http2", "--cacert", pki.CA, "--resolve", "a.example.test:" + port + ":127.0.0.1", "https://a.example.test:" + port + path}
		}
		w, g = curl(ha, tlsArgs(ha)...), curl(goha, tlsArgs(goha)...)
		if w != g {
			t.Errorf("curl --http2 %s:\nhaproxy: %s\ngoha:    %s", path, w, g)
		}
		if !strings.HasPrefix(g, "HTTP/2 200") {
			t.Errorf("curl --http2 %s: not an HTTP/2 200: %s", path, g)
		}
	}
}
