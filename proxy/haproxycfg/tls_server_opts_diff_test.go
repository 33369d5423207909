package haproxycfg

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// tlsRecorder is a server that takes a PROXY header, then TLS or clear
// HTTP/1.1, answers each request 200 and closes; it notes per
// connection what the proxy sent: the PROXY header's kind, whether TLS,
// the versions the ClientHello offered, the version and suite taken,
// whether the session was resumed.
type tlsRecorder struct {
	mu   sync.Mutex
	got  []string
	addr string
}

func startTLSRecorder(t *testing.T, cfg *tls.Config) *tlsRecorder {
	r := &tlsRecorder{}
	r.addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		br := bufio.NewReader(c)
		var note []string
		head, _ := br.Peek(12)
		switch {
		case bytes.HasPrefix(head, []byte("PROXY ")):
			l, _ := br.ReadString('\n')
			note = append(note, "PROXY v1 "+strings.Fields(l)[1])
		case bytes.Equal(head, []byte("\r\n\r\n\x00\r\nQUIT\n")):
			h := make([]byte, 16)
			io.ReadFull(br, h)
			io.CopyN(io.Discard, br, int64(h[14])<<8|int64(h[15]))
			note = append(note, "PROXY v2")
		}
		var rw io.ReadWriter = &struct {
			io.Reader
			io.Writer
		}{br, c}
		if b, _ := br.Peek(1); len(b) == 1 && b[0] == 0x16 {
			var offered uint16
			sc := cfg.Clone()
			sc.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
				for _, v := range h.SupportedVersions {
					offered = max(offered, v)
				}
				return nil, nil
			}
			tc := tls.Server(&peeked{Conn: c, r: br}, sc)
			if err := tc.Handshake(); err != nil {
				note = append(note, "handshake failed")
				r.add(note)
				return
			}
			st := tc.ConnectionState()
			note = append(note, fmt.Sprintf("TLS offered up to %s, took %s %s resumed=%v", tlsconf.VersionName(offered),
				tlsconf.VersionName(st.Version), tlsconf.OpenSSLName(st.CipherSuite), st.DidResume))
			rw = tc
		} else {
			note = append(note, "clear")
		}
		rd := bufio.NewReader(rw)
		for {
			l, err := rd.ReadString('\n')
			if err != nil {
				break
			}
			if l == "\r\n" {
				rw.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
				break
			}
		}
		r.add(note)
	})
	return r
}

func (r *tlsRecorder) add(note []string) {
	r.mu.Lock()
	r.got = append(r.got, strings.Join(note, " "))
	r.mu.Unlock()
}

// wait waits (2 s at most) until n connections were noted.
func (r *tlsRecorder) wait(n int) {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		k := len(r.got)
		r.mu.Unlock()
		if k >= n {
			return
		}
	}
}

// notes are the connections' notes, in order.
func (r *tlsRecorder) notes() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.got, " | ")
}

// peeked is a connection whose first bytes were read into r.
type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p *peeked) Read(b []byte) (int, error) { return p.r.Read(b) }

// TestServerTLSOptionsMatchHAProxy: the TLS and PROXY options of server
// lines (and default-server) beside HAProxy 2.6.12, each server behind a
// frontend of its own, two requests each on a new server connection (one
// thread, as HAProxy keeps a server's TLS session per thread): the
// recording server sees the same PROXY header kind, TLS or clear, highest
// version offered, version, suite and resumption from both (no-tls-tickets
// still resumes a TLS 1.3 session, as OpenSSL; a later tls-tickets or
// ssl-reuse wins over a default-server's no-). Known differences left
// out: HAProxy's ClientHello also lists TLS 1.1 and 1.0 (it then refuses
// them, as goha does unless ssl-min-ver or force-tlsv1x allows them:
// force-tlsv10/11 are compared against a server of TLS 1.2 and 1.3 only),
// and it offers the TLS 1.3 suites in its ciphersuites order, goha in
// Go's (a ciphersuites list is compared in an order both offer alike).
func TestServerTLSOptionsMatchHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	matchServerTLS(t, "", []tlsServerCase{
		{"server TLS 1.1 only", "ssl verify none", "TLS11"},
		{"default", "ssl verify none", ""},
		{"no-ssl-reuse", "ssl verify none no-ssl-reuse", ""},
		{"ssl-reuse", "ssl verify none no-ssl-reuse ssl-reuse", ""},
		{"no-tls-tickets", "ssl verify none no-tls-tickets", ""},
		{"tls12", "ssl verify none ssl-max-ver TLSv1.2", ""},
		{"tls12 no-tls-tickets", "ssl verify none ssl-max-ver TLSv1.2 no-tls-tickets", ""},
		{"tls12 tls-tickets", "ssl verify none ssl-max-ver TLSv1.2 no-tls-tickets tls-tickets", ""},
		{"force-tlsv12", "ssl verify none force-tlsv12", ""},
		{"force-tlsv13", "ssl verify none force-tlsv13", ""},
		{"no-tlsv13", "ssl verify none no-tlsv13", ""},
		{"no-tlsv12", "ssl verify none no-tlsv12", ""},
		{"no-tlsv10 no-tlsv11 no-sslv3", "ssl verify none no-tlsv10 no-tlsv11 no-sslv3", ""},
		{"ssl-min-ver", "ssl verify none ssl-min-ver TLSv1.3", ""},
		{"ciphers", "ssl verify none ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES256-GCM-SHA384", ""},
		{"no-ssl", "ssl verify none no-ssl", ""},
		{"send-proxy", "send-proxy", ""},
		{"send-proxy-v2 ssl", "send-proxy-v2 ssl verify none", ""},
		{"no-send-proxy", "send-proxy no-send-proxy", ""},
		{"no-send-proxy-v2", "send-proxy-v2 no-send-proxy-v2", ""},
		{"default-server ssl send-proxy, no-ssl no-send-proxy", "no-ssl no-send-proxy", "ssl verify none send-proxy"},
		{"default-server no-tls-tickets, tls-tickets", "ssl verify none ssl-max-ver TLSv1.2 tls-tickets", "no-tls-tickets"},
		{"default-server no-ssl-reuse, ssl-reuse", "ssl verify none ssl-reuse", "no-ssl-reuse"},
		{"ciphersuites", "ssl verify none ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256", ""},
		{"force-tlsv11, server TLS 1.2-1.3", "ssl verify none force-tlsv11", ""},
		{"force-tlsv10, server TLS 1.2-1.3", "ssl verify none force-tlsv10", ""},
	})
}

// matchServerTLS runs cases (serverTLSNotes) under both daemons and
// compares what each recording server saw.
func matchServerTLS(t *testing.T, global string, cases []tlsServerCase) {
	h, g := serverTLSNotes(t, global, cases, true), serverTLSNotes(t, global, cases, false)
	for i, c := range cases {
		t.Logf("%s (%s): haproxy %s", c.name, c.line, h[i])
		if h[i] != g[i] {
			t.Errorf("%s (%s): the server saw\nhaproxy %s\ngoha    %s", c.name, c.line, h[i], g[i])
		}
	}
}

// tlsServerCase is a server line's options (line) behind a frontend of
// its own, with its backend's default-server options (dflt; "TLS11": no
// default-server, a recording server of TLS 1.0 and 1.1 only).
type tlsServerCase struct{ name, line, dflt string }

// serverTLSNotes runs cases under haproxy (ha) or goha, global lines
// added to the global section (one thread, as HAProxy keeps a server's
// TLS session per thread), two requests each on a new server connection,
// and returns what each case's recording server noted.
func serverTLSNotes(t *testing.T, global string, cases []tlsServerCase, ha bool) []string {
	pki := newTestPKI(t)
	cert, err := tls.LoadX509KeyPair(pki.Dir+"/a.pem", pki.Dir+"/a.pem")
	if err != nil {
		t.Fatal(err)
	}
	srv13 := &tls.Config{Certificates: []tls.Certificate{cert}}
	srv13.SetSessionTicketKeys([][32]byte{{1, 2, 3}}) // one key for the clones of every connection
	srv11 := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	var recs []*tlsRecorder
	var fronts []string
	var b strings.Builder
	b.WriteString("global\n    nbthread 1\n" + global + "defaults\n    mode http\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\n    http-reuse never\n    option http-server-close\n")
	for i, c := range cases {
		sc := srv13
		if c.dflt == "TLS11" {
			sc, c.dflt = srv11, ""
		}
		r := startTLSRecorder(t, sc)
		recs = append(recs, r)
		f := loopback.FreeAddr(t)
		fronts = append(fronts, f)
		fmt.Fprintf(&b, "frontend f%d\n    bind %s\n    default_backend b%d\nbackend b%d\n", i, f, i, i)
		if c.dflt != "" {
			fmt.Fprintf(&b, "    default-server %s\n", c.dflt)
		}
		fmt.Fprintf(&b, "    server s %s %s\n", r.addr, c.line)
	}
	cfg := b.String()
	if ha {
		difftest.StartHAProxy(t, cfg, fronts[0])
	} else {
		runPlan(t, cfg)
	}
	// The cases are independent (a frontend, a backend and a recording
	// server each), and a refused handshake waits for timeouts: they run
	// at once.
	out := make([]string, len(fronts))
	var wg sync.WaitGroup
	for i, f := range fronts {
		loopback.WaitListen(t, f)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 1; k <= 2; k++ {
				c, err := net.DialTimeout("tcp", f, time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				c.SetDeadline(time.Now().Add(3 * time.Second))
				c.Write([]byte("GET / HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n"))
				io.ReadAll(c)
				c.Close()
				recs[i].wait(k)
			}
			out[i] = recs[i].notes()
		}()
	}
	wg.Wait()
	return out
}
