package haproxycmd

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/socks4test"
	"github.com/goha-lb/goha/internal/testenv"
)

// prefixConn replays bytes already read before its connection's.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// startConnectRecorder is a check target describing each connection: its
// PROXY header (ports blanked), then "tls sni=... alpn=..." after a TLS
// handshake (offering h2 and http/1.1), or "clear" and how the check
// closed it after the "OK\n" it is sent ("fin" or "rst") with the first
// line it got (an HTTP check's request line). Its func says
// the descriptions seen, sorted, once two connections came ("" before).
func startConnectRecorder(t *testing.T, cert tls.Certificate) (addr string, seen func() string) {
	descs := &seenSet{}
	v1 := regexp.MustCompile(`^PROXY (TCP4 \S+ \S+) \d+ \d+\r\n`)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		buf := make([]byte, 512)
		k, _ := c.Read(buf)
		data, desc := buf[:k], ""
		if m := v1.FindSubmatchIndex(data); m != nil {
			desc = "v1 " + string(data[m[2]:m[3]]) + " "
			data = data[m[1]:]
		} else if bytes.HasPrefix(data, []byte("\r\n\r\n\x00\r\nQUIT\n")) && len(data) >= 16 {
			l := 16 + int(data[14])<<8 | int(data[15])
			desc = fmt.Sprintf("v2 cmd=%#x len=%d ", data[12], l-16)
			data = data[min(l, len(data)):]
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		if len(data) > 0 && data[0] == 0x16 {
			tc := tls.Server(prefixConn{c, io.MultiReader(bytes.NewReader(data), c)}, cfg)
			if tc.Handshake() == nil {
				st := tc.ConnectionState()
				desc += fmt.Sprintf("tls sni=%s alpn=%s", st.ServerName, st.NegotiatedProtocol)
			} else {
				desc += "tls failed"
			}
		} else {
			desc += "clear"
			if l, _, ok := bytes.Cut(data, []byte("\r\n")); ok {
				desc += " " + string(l) // an HTTP check's request line, or HTTP/2's preface
			}
			// (an HTTP/2 check waits for SETTINGS: how it ends is not
			// about its connect rule)
			h2 := bytes.HasPrefix(data, []byte("PRI * HTTP/2.0"))
			if !h2 {
				c.Write([]byte("OK\n"))
			}
			_, err := io.Copy(io.Discard, c)
			switch {
			case h2:
			case err == nil:
				desc += " fin"
			case errors.Is(err, syscall.ECONNRESET):
				desc += " rst"
			default:
				desc += " open"
			}
		}
		descs.add(desc)
	})
	return addr, descs.list
}

// TestCheckConnectOptionsMatchHAProxy: `tcp-check connect` and
// `http-check connect` with options of their own, beside HAProxy 2.6.12:
// a port from a check variable (an integer, a string cast),
// ssl with sni and alpn (h2, http/1.1), send-proxy (v1; v2 with the
// server's send-proxy-v2), via-socks4 through the server's socks4 proxy,
// a connect without `default` in clear text on a check-ssl server, one
// with `default` taking its TLS and check-sni, linger (a FIN; an RST
// otherwise), and proto h2/h1 over the server's proto (which only a
// `default` connect takes). Each recording server sees the same from both daemons.
func TestCheckConnectOptionsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cert := throwawayCert(t)
	type bk struct{ name, mode, rules, server string }
	cases := []bk{
		{"ssl sni alpn h2", "http", "option httpchk GET /\n    http-check connect ssl sni www.example.com alpn h2", "check verify none"},
		{"ssl sni alpn http/1.1", "http", "option httpchk GET /\n    http-check connect ssl sni a.example alpn http/1.1", "check verify none"},
		{"ssl no sni", "tcp", "option tcp-check\n    tcp-check connect ssl", "check verify none"},
		{"send-proxy", "tcp", "option tcp-check\n    tcp-check connect port PORT send-proxy\n    tcp-check expect string OK", "check"},
		{"send-proxy v2 server", "tcp", "option tcp-check\n    tcp-check connect port PORT send-proxy\n    tcp-check expect string OK", "check send-proxy-v2"},
		{"no default on check-ssl", "tcp", "option tcp-check\n    tcp-check connect\n    tcp-check expect string OK", "check check-ssl verify none check-sni c.example"},
		{"default on check-ssl", "tcp", "option tcp-check\n    tcp-check connect default", "check check-ssl verify none check-sni d.example"},
		{"default sni wins", "tcp", "option tcp-check\n    tcp-check connect default sni e.example", "check check-ssl verify none check-sni d.example"},
		{"port var int", "tcp", "option tcp-check\n    tcp-check set-var(check.p) int(PORT)\n    tcp-check connect port var(check.p)\n    tcp-check expect string OK", "check"},
		{"port var str", "tcp", "option tcp-check\n    tcp-check set-var(check.p) str(PORT)\n    tcp-check connect port var(check.p) send-proxy\n    tcp-check expect string OK", "check"},
		{"linger", "tcp", "option tcp-check\n    tcp-check connect linger\n    tcp-check expect string OK", "check"},
		{"via-socks4", "tcp", "option tcp-check\n    tcp-check connect via-socks4\n    tcp-check expect string OK", "check socks4 SOCKS"},
		{"http proto h2", "http", "option httpchk GET /\n    http-check connect proto h2", "check"},
		{"http no default on proto h2", "http", "option httpchk GET /\n    http-check connect", "check proto h2"},
		{"http default on proto h2", "http", "option httpchk GET /\n    http-check connect default", "check proto h2"},
		{"http proto h1 on proto h2", "http", "option httpchk GET /\n    http-check connect default proto h1", "check proto h2"},
		{"via-socks4 no proxy", "tcp", "option tcp-check\n    tcp-check connect via-socks4\n    tcp-check expect string OK", "check"},
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.name)
	}
	proxies := []*socks4test.Proxy{}
	run := func(ha bool) []string {
		var seen []func() string
		var b strings.Builder
		fmt.Fprintf(&b, "defaults\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\n    timeout check 1s\n"+
			"frontend f\n    mode tcp\n    bind %s\n    default_backend b0\n", loopback.FreeAddr(t))
		for i, c := range cases {
			addr, f := startConnectRecorder(t, cert)
			seen = append(seen, f)
			server := c.server
			if strings.Contains(server, "SOCKS") {
				p := socks4test.Start(t, "grant")
				proxies = append(proxies, p)
				server = strings.Replace(server, "SOCKS", p.Addr, 1)
			}
			target := addr
			rules := c.rules
			if strings.Contains(rules, "PORT") {
				// the rule's port goes to the recorder; the server line's elsewhere
				_, port, _ := net.SplitHostPort(addr)
				rules = strings.Replace(rules, "PORT", port, 1)
				target = "127.0.0.1:9"
			}
			fmt.Fprintf(&b, "backend b%d\n    mode %s\n    %s\n    server s %s %s inter 200ms\n", i, c.mode, rules, target, server)
		}
		path := filepath.Join(t.TempDir(), "c.cfg")
		os.WriteFile(path, []byte(b.String()), 0o644)
		defer startSide(t, ha, path)()
		return awaitRecorded(6*time.Second, seen...)
	}
	h := run(true)
	for _, p := range proxies {
		if len(p.Take()) < 2 {
			t.Errorf("haproxy's via-socks4 checks did not go through the server's SOCKS4 proxy")
		}
	}
	proxies = nil
	g := run(false)
	for _, p := range proxies {
		if len(p.Take()) < 2 {
			t.Errorf("gohaproxy's via-socks4 checks did not go through the server's SOCKS4 proxy")
		}
	}
	sameRecorded(t, names, h, g)
	for i := range h {
		if h[i] == "" {
			t.Errorf("%s: haproxy's checks never reached the server twice", names[i])
		}
	}
}

// TestCheckConnectSSLStatsMatchHAProxy: what `show stat` says of checks
// whose connect rule speaks TLS, beside HAProxy 2.6.12: an HTTP check
// over a rule's ssl (with sni, and with alpn h2 answered in HTTP/2), a
// tcp-check connect ssl, both against a server that does not speak TLS
// (a handshake failure), a connect without `default` in clear text on a
// check-ssl server, and an `option tcp-check` without rules on one (a
// ruleset ending on a TLS connect passes at layer 6).
func TestCheckConnectSSLStatsMatchHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		ErrorLog: log.New(io.Discard, "", 0), TLSConfig: &tls.Config{Certificates: []tls.Certificate{throwawayCert(t)}}}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	tlsAddr, web := ln.Addr().String(), loopback.StartWeb(t, "w").Addr
	sameCheckStats(t, haproxyBin, httpCheckDefaults, []checkBackend{
		{"https", "option httpchk GET /\n    http-check connect ssl sni a.example", tlsAddr + " check verify none"},
		{"https-h2", "option httpchk GET /\n    http-check connect ssl alpn h2", tlsAddr + " check verify none"},
		{"https-plain", "option httpchk GET /\n    http-check connect ssl", web + " check verify none"},
		{"tcp-ssl", "option tcp-check\n    tcp-check connect ssl", tlsAddr + " check verify none"},
		{"tcp-ssl-plain", "option tcp-check\n    tcp-check connect ssl", web + " check verify none"},
		{"clear-on-check-ssl", "option httpchk GET /\n    http-check connect", web + " check check-ssl verify none"},
		{"tcp-check-check-ssl", "option tcp-check", tlsAddr + " check check-ssl verify none"},
	}, 900*time.Millisecond, true)
}
