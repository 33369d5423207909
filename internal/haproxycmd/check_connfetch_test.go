package haproxycmd

import (
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// checkRecorder is a check target that records what the first check
// connection sent, with the facts only the server knows put back as
// names: the hellos' randoms it saw on the wire (hex, and raw up to a NUL
// as a log-format string copies them), the client's port and its own
// address. A value
// goha got wrong stays in the text and differs from HAProxy's.
type checkRecorder struct {
	mu   sync.Mutex
	got  []string
	addr string
}

// wireTap reads the ClientHello's random off what the server reads and
// the ServerHello's off what it writes.
type wireTap struct {
	net.Conn
	client, server tlsconf.HelloRandom
}

func (w *wireTap) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	w.client.Feed(p[:n])
	return n, err
}

func (w *wireTap) Write(p []byte) (int, error) {
	w.server.Feed(p)
	return w.Conn.Write(p)
}

func startCheckRecorder(t *testing.T, cfg *tls.Config, reply string) *checkRecorder {
	t.Helper()
	r := &checkRecorder{}
	r.addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		port := strconv.Itoa(c.RemoteAddr().(*net.TCPAddr).Port)
		var rd net.Conn = c
		var tap *wireTap
		if cfg != nil {
			tap = &wireTap{Conn: c}
			tap.server.Server = true
			tc := tls.Server(tap, cfg)
			if tc.Handshake() != nil {
				return
			}
			rd = tc
		}
		buf := make([]byte, 4096)
		n, _ := rd.Read(buf)
		if n == 0 {
			return
		}
		s := string(buf[:n])
		if tap != nil {
			for i, rnd := range [][]byte{tap.client.Random, tap.server.Random} {
				name := [2]string{"CLIENT_RANDOM", "SERVER_RANDOM"}[i]
				s = strings.ReplaceAll(s, strings.ToUpper(hex.EncodeToString(rnd)), "<"+name+">")
				if raw, _, _ := bytes.Cut(rnd, []byte{0}); len(raw) > 0 {
					s = strings.ReplaceAll(s, "RAW="+string(raw)+" ", "RAW=<"+name+"> ")
				}
			}
		}
		s = strings.ReplaceAll(s, "=127.0.0.1:"+port+" ", "=127.0.0.1:<PORT> ")
		s = strings.ReplaceAll(s, "sport="+port, "sport=<PORT>")
		s = strings.ReplaceAll(s, "="+r.addr+" ", "=<SERVER> ")
		rd.Write([]byte(reply))
		r.mu.Lock()
		r.got = append(r.got, s)
		r.mu.Unlock()
	})
	return r
}

func (r *checkRecorder) first() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return ""
	}
	return r.got[0]
}

// TestCheckConnFetchesMatchHAProxy: the server-side connection fetches
// in a check's rules read the check's own connection, as HAProxy 2.6's
// do: ssl_bc_* its TLS state over check-ssl (TLS 1.3, and TLS 1.2 with
// ALPN; the randoms those the server saw, raw or through hex; integers
// through hex as their 8 bytes), ssl_bc false and the others empty in
// clear, bc_src/bc_dst its addresses; in tcp-check send-lf and set-var
// and in http-check set-var and send uri-lf and header values. The first
// check each server receives must be the same bytes from both. An
// explicit tcp-check or http-check connect without `default` connects in
// clear text despite check-ssl, as HAProxy's.
func TestCheckConnFetchesMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cert := throwawayCert(t)
	tls13 := &tls.Config{Certificates: []tls.Certificate{cert}}
	tls12 := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	const okHTTP = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	tcpSend := `tcp-check send-lf "P=%[ssl_bc_protocol] C=%[ssl_bc_cipher] A=%[ssl_bc_alpn] U=%[ssl_bc_use_keysize] ` +
		`G=%[ssl_bc_alg_keysize,hex] B=%[ssl_bc] R=%[ssl_bc_is_resumed] CR=%[ssl_bc_client_random,hex] ` +
		`SR=%[ssl_bc_server_random,hex] RAW=%[ssl_bc_server_random] V=%[var(check.v)] ` +
		`S=%[bc_src]:%[bc_src_port] D=%[bc_dst]:%[bc_dst_port] \n"`
	run := func(ha bool) []string {
		recs := []*checkRecorder{startCheckRecorder(t, tls13, "OK\n"), startCheckRecorder(t, nil, "OK\n"),
			startCheckRecorder(t, tls12, okHTTP), startCheckRecorder(t, nil, "OK\n"), startCheckRecorder(t, nil, okHTTP)}
		front := loopback.FreeAddr(t)
		cfg := fmt.Sprintf("defaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n"+
			"frontend f\n    mode tcp\n    bind %s\n    default_backend tcptls\n"+
			"backend tcptls\n    mode tcp\n    option tcp-check\n    tcp-check set-var(check.v) ssl_bc_cipher,lower\n    %s\n    tcp-check expect string OK\n"+
			"    server s %s check check-ssl verify none inter 200ms\n"+
			"backend tcpclear\n    mode tcp\n    option tcp-check\n    %s\n    tcp-check expect string OK\n"+
			"    server s %s check inter 200ms\n"+
			"backend httptls\n    mode http\n    option httpchk\n    http-check set-var(check.c) ssl_bc_cipher\n"+
			"    http-check send meth GET uri-lf /p?v=%%[ssl_bc_protocol]&a=%%[ssl_bc_alpn] hdr x-tls \"%%[var(check.c)] %%[ssl_bc_use_keysize] %%[ssl_bc] sport=%%[bc_src_port]\"\n"+
			"    server s %s check check-ssl verify none check-alpn http/1.1 inter 200ms\n"+
			"backend tcpexplicit\n    mode tcp\n    option tcp-check\n    tcp-check connect\n    %s\n    tcp-check expect string OK\n"+
			"    server s %s check check-ssl verify none inter 200ms\n"+
			"backend httpexplicit\n    mode http\n    option httpchk\n    http-check connect\n    http-check send meth GET uri-lf /%%[ssl_bc]\n"+
			"    server s %s check check-ssl verify none inter 200ms\n",
			front, tcpSend, recs[0].addr, tcpSend, recs[1].addr, recs[2].addr, tcpSend, recs[3].addr, recs[4].addr)
		defer startSide(t, ha, writeConfig(t, cfg))()
		// a first check of each server (every 200ms), 5 s at most
		return awaitRecorded(5*time.Second, recs[0].first, recs[1].first, recs[2].first, recs[3].first, recs[4].first)
	}
	h, g := run(true), run(false)
	sameRecorded(t, []string{"tcp-check over TLS 1.3", "tcp-check in clear", "http-check over TLS 1.2",
		"tcp-check connect without default (clear despite check-ssl)", "http-check connect without default (clear despite check-ssl)"}, h, g)
	if !strings.Contains(h[0], "CR=<CLIENT_RANDOM> SR=<SERVER_RANDOM>") || !strings.Contains(h[0], "B=1 R=0") {
		t.Errorf("haproxy's TLS check did not send what the test expects: %q", h[0])
	}
}
