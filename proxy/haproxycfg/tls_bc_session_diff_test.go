package haproxycfg

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// masterLog is a TLS server's key log: the master secret of each full
// TLS 1.2 handshake, by client random (upper-case hex).
type masterLog struct {
	mu sync.Mutex
	m  map[string]string
}

func (l *masterLog) Write(p []byte) (int, error) {
	if f := strings.Fields(string(p)); len(f) == 3 && f[0] == "CLIENT_RANDOM" {
		l.mu.Lock()
		l.m[strings.ToUpper(f[1])] = strings.ToUpper(f[2])
		l.mu.Unlock()
	}
	return len(p), nil
}

func (l *masterLog) get(random string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[random]
}

// bcFetchConfig is the configuration of the ssl_bc_* tests: an http
// frontend at BIND whose response rules copy fetch (in hex) as x-<h>,
// ssl_bc_client_random as x-r and ssl_bc_is_resumed as x-res, before a
// TLS server at SRV with opts.
func bcFetchConfig(h, fetch, opts string) string {
	return `defaults
    mode http
    option http-server-close
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend fe
    bind BIND
    http-response set-header x-` + h + ` %[` + fetch + `,hex]
    http-response set-header x-r %[ssl_bc_client_random,hex]
    http-response set-header x-res %[ssl_bc_is_resumed]
    default_backend be
backend be
    server s SRV ssl verify none ` + opts + "\n"
}

// bcFetched GETs / at addr with c and returns the answer's header fields
// names (the test ends if the request fails).
func bcFetched(t *testing.T, c *http.Client, who, addr string, names ...string) []string {
	t.Helper()
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	var out []string
	for _, n := range names {
		out = append(out, resp.Header.Get(n))
	}
	return out
}

// TestTLSBackendSessionKeyDifferential: on a TLS 1.2 server line,
// ssl_bc_session_key in response rules is the master secret the server
// logged for the connection (by its client random) on full handshakes,
// and an earlier session's on resumed ones (tickets), through HAProxy
// 2.6 and goha alike; with no-tls-tickets every handshake is full; over
// HTTP/2 (alpn h2) each stream sees its connection's.
func TestTLSBackendSessionKeyDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	cert := pemCert(t, pki.Dir+"/srv.pem")
	keys := &masterLog{m: map[string]string{}}
	ln := loopback.Listen(t)
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: keys, NextProtos: []string{"h2", "http/1.1"}}
	go srv.Serve(tls.NewListener(ln, srv.TLSConfig))
	t.Cleanup(func() { srv.Close() })
	for _, tickets := range []string{"", "no-tls-tickets", "alpn h2"} {
		ha, gh := startTemplated(t, bcFetchConfig("k", "ssl_bc_session_key", "ssl-max-ver TLSv1.2 TICKETS"), "BIND", "SRV", ln.Addr().String(), "TICKETS", tickets)
		for _, d := range []struct{ name, addr string }{{"haproxy", ha}, {"goha", gh}} {
			c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			sessions := map[string]bool{} // the full handshakes' keys
			resumes := 0
			for i := 0; i < 4; i++ {
				h := bcFetched(t, c, d.name, d.addr, "X-K", "X-R", "X-Res")
				k, r, res := h[0], h[1], h[2]
				name := fmt.Sprintf("%q %s #%d", tickets, d.name, i)
				t.Logf("%s: resumed %s key %s", name, res, k)
				if res == "1" {
					// a session of an earlier connection: its key
					resumes++
					if !sessions[k] {
						t.Errorf("%s: resumed with ssl_bc_session_key %q, none of the earlier sessions' %v", name, k, sessions)
					}
					continue
				}
				if want := keys.get(r); want == "" || k != want {
					t.Errorf("%s: ssl_bc_session_key %q, the server logged %q", name, k, want)
				}
				sessions[k] = true
			}
			if (resumes > 0) != (tickets == "") && tickets != "alpn h2" {
				t.Errorf("%q %s: %d resumed", tickets, d.name, resumes)
			}
		}
	}
}

// TestTLSBackendSessionKeyRefusedWithTLS13: a server line that allows
// TLS 1.3 is refused when the configuration reads ssl_bc_session_key, at
// the line, saying why; a TLS 1.2 one is not, nor are binds.
func TestTLSBackendSessionKeyRefusedWithTLS13(t *testing.T) {
	for _, c := range []struct{ opts, global, want string }{
		{"ssl verify none ssl-max-ver TLSv1.2", "", ""},
		{"ssl verify none", "    ssl-default-server-options ssl-max-ver TLSv1.2\n", ""},
		{"ssl verify none", "", "[test.cfg:LINE] : 'fetch ssl_bc_session_key with a server allowing TLS 1.3 (add ssl-max-ver TLSv1.2): goha gives it in TLS 1.2 only;"},
		{"ssl verify none ssl-min-ver TLSv1.3", "", "fetch ssl_bc_session_key with a server allowing TLS 1.3"},
	} {
		cfg := "global\n" + c.global + httpDefaults2s + `frontend fe
    bind 127.0.0.1:8080
    http-response set-header x-k %[ssl_bc_session_key,hex]
    default_backend be
backend be
    server s 127.0.0.1:8443 ` + c.opts + "\n"
		line := strings.Count(cfg, "\n")
		got := strings.Join(notices(buildText(t, cfg)), "\n")
		want := strings.ReplaceAll(c.want, "LINE", fmt.Sprint(line))
		if (want == "") != !strings.Contains(got, "ssl_bc_session_key") || want != "" && !strings.Contains(got, want) {
			t.Errorf("%q %q: notices %q, want %q", c.opts, c.global, got, want)
		}
	}
}
