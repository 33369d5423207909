package haproxycfg

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// proxiedH2Server reads a PROXY v1 or v2 header on each connection, then
// serves HTTP/2 with prior knowledge, answering each request with the
// connection's number and the header it began with.
type proxiedH2Server struct {
	mu      sync.Mutex
	headers []string // per connection, in order
}

type connHeaderKey struct{}

func startProxiedH2Server(t *testing.T) (*proxiedH2Server, string) {
	t.Helper()
	ps := &proxiedH2Server{}
	ln := &proxiedListener{Listener: loopback.Listen(t), ps: ps}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Protocols: &p,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.Context().Value(connHeaderKey{}).(string))
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connHeaderKey{}, c.(*bufConn).tag)
		}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ps, ln.Addr().String()
}

// proxiedListener reads each connection's PROXY header before handing
// it to the HTTP/2 server.
type proxiedListener struct {
	net.Listener
	ps *proxiedH2Server
}

func (l *proxiedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		br := bufio.NewReader(c)
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		hdr, err := readProxyHeader(br)
		c.SetReadDeadline(time.Time{})
		if err != nil {
			c.Close()
			continue
		}
		l.ps.mu.Lock()
		l.ps.headers = append(l.ps.headers, hdr)
		n := len(l.ps.headers)
		l.ps.mu.Unlock()
		return &bufConn{Conn: c, r: br, tag: fmt.Sprintf("c%d %s", n, hdr)}, nil
	}
}

// readProxyHeader reads a PROXY v1 line, or a v2 header summed up as
// "v2 <source address>:<port>".
func readProxyHeader(br *bufio.Reader) (string, error) {
	b, err := br.Peek(12)
	if err != nil {
		return "", err
	}
	if string(b) == "\r\n\r\n\x00\r\nQUIT\n" {
		hdr := make([]byte, 16)
		if _, err := io.ReadFull(br, hdr); err != nil {
			return "", err
		}
		body := make([]byte, int(hdr[14])<<8|int(hdr[15]))
		if _, err := io.ReadFull(br, body); err != nil {
			return "", err
		}
		if len(body) < 12 {
			return "v2 local", nil
		}
		return fmt.Sprintf("v2 %d.%d.%d.%d:%d", body[0], body[1], body[2], body[3], int(body[8])<<8|int(body[9])), nil
	}
	line, err := br.ReadString('\n')
	f := strings.Fields(line)
	if len(f) >= 5 {
		line = f[2] + ":" + f[4]
	}
	return "v1 " + strings.TrimSpace(line), err
}

type bufConn struct {
	net.Conn
	r   *bufio.Reader
	tag string
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestSendProxyReuseDifferential: send-proxy and send-proxy-v2 to
// HTTP/1.1 and HTTP/2 (proto h2) servers, the request sequence of
// TestHTTPReuseDifferential through HAProxy 2.6 and goha: each server
// connection begins with the PROXY header of the client whose requests
// it carries, and is reused only for that client (HAProxy hashes the
// header into its reuse key), within the idle cap: which connection each
// request went on, and each header's version and client address. Then
// an HTTP/2 client's streams, which share their client's connections.
func TestSendProxyReuseDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	backends := []string{"h1v1", "h1v2", "h2v1", "h2v2", "h2v2always"}
	mk := func() (fe, fe2, cfg string) {
		fe, fe2 = loopback.FreeAddr(t), loopback.FreeAddr(t)
		var b strings.Builder
		fmt.Fprintf(&b, `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    bind %s proto h2
    use_backend %%[path,field(2,/)]
`, fe, fe2)
		for _, be := range backends {
			fmt.Fprintf(&b, "backend %s\n", be)
			if strings.HasSuffix(be, "always") {
				b.WriteString("    http-reuse always\n")
			}
			var addr, opts string
			if strings.HasPrefix(be, "h2") {
				_, addr = startProxiedH2Server(t)
				opts = " proto h2"
			} else {
				addr = startProxiedH1Server(t)
			}
			if strings.HasPrefix(be[2:], "v2") {
				opts += " send-proxy-v2"
			} else {
				opts += " send-proxy"
			}
			fmt.Fprintf(&b, "    server s1 %s%s\n", addr, opts)
		}
		return fe, fe2, b.String()
	}
	haFE, haFE2, cfg := mk()
	difftest.StartHAProxy(t, cfg, haFE)
	goFE, goFE2, cfg := mk()
	runPlan(t, cfg)
	for _, be := range backends {
		want, got := runReuseSteps(t, haFE, "/"+be, proxiedStep), runReuseSteps(t, goFE, "/"+be, proxiedStep)
		t.Logf("%s: haproxy %s", be, want)
		if want != got {
			t.Errorf("%s:\nhaproxy %s\ngoha    %s", be, want, got)
		}
	}
	for _, be := range []string{"h1v2", "h2v1"} {
		want, got := runH2ClientSteps(t, haFE2, be), runH2ClientSteps(t, goFE2, be)
		want, got = stripPorts(want), stripPorts(got)
		t.Logf("%s from an HTTP/2 client: haproxy %s", be, want)
		if want != got {
			t.Errorf("%s from an HTTP/2 client:\nhaproxy %s\ngoha    %s", be, want, got)
		}
	}
}

// stripPorts leaves out the client ports of the answers' PROXY headers
// (each proxy's client connection has its own).
func stripPorts(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if j := strings.LastIndex(w, ":"); j > 0 && strings.Count(w, ".") == 3 {
			f[i] = w[:j]
		}
	}
	return strings.Join(f, " ")
}

// proxiedStep describes a proxiedH*Server's answer: the connection
// number, the header's version, and whether it named this client.
func proxiedStep(body string, c net.Conn) string {
	f := strings.Fields(body)
	if len(f) != 3 {
		return body
	}
	mine := "mine"
	if f[2] != c.LocalAddr().String() {
		mine = "other client " + f[2]
	}
	return fmt.Sprintf("%s %s %s", f[0], f[1], mine)
}

// startProxiedH1Server is proxiedH2Server speaking HTTP/1.1.
func startProxiedH1Server(t *testing.T) string {
	var mu sync.Mutex
	n := 0
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		hdr, err := readProxyHeader(br)
		if err != nil {
			return
		}
		mu.Lock()
		n++
		tag := fmt.Sprintf("c%d %s", n, hdr)
		mu.Unlock()
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s", len(tag), tag)
		}
	})
}
