package haproxycfg

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestTLSKeepAliveAndLargeBody: over one kept-alive TLS connection, small
// answers and a 4 MiB body (past every buffer: the copy path, never
// splice) arrive whole through both proxies, and both keep the connection.
func TestTLSKeepAliveAndLargeBody(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 256*1024)
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(big)
			return
		}
		io.WriteString(w, "small "+r.URL.Path)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	cfg := `global
    crt-base PKIDIR
defaults
    mode http
    option splice-auto
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND ssl crt a.pem
    default_backend be
backend be
    server s1 WEB
`
	cfg = strings.NewReplacer("PKIDIR", pki.Dir, "WEB", ln.Addr().String()).Replace(cfg)
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))

	run := func(addr string) string {
		conns := 0
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
			DialContext:     (&net.Dialer{}).DialContext,
		}}
		defer c.CloseIdleConnections()
		var out []string
		for _, p := range []string{"/a", "/big", "/b", "/big", "/c"} {
			req, _ := http.NewRequest("GET", "https://"+addr+p, nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				GotConn: func(i httptrace.GotConnInfo) {
					if !i.Reused {
						conns++
					}
				}}))
			resp, err := c.Do(req)
			if err != nil {
				return "error: " + err.Error()
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if p == "/big" {
				out = append(out, resp.Status+" big intact="+boolWord(bytes.Equal(b, big)))
			} else {
				out = append(out, resp.Status+" "+string(b))
			}
		}
		return strings.Join(out, "\n") + "\nconnections: " + string(rune('0'+conns))
	}
	want, got := run(ha), run(goha)
	if !strings.Contains(want, "connections: 1") || !strings.Contains(want, "big intact=yes") {
		t.Fatalf("haproxy:\n%s", want)
	}
	if got != want {
		t.Errorf("goha:\n%s\nhaproxy:\n%s", got, want)
	}
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
