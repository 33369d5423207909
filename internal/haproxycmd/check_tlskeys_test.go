package haproxycmd

import (
	"bufio"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// keysRecorder is a check target (TLS, or clear without a configuration)
// that answers each line it reads with reply and records, per
// connection, the lines with the secret facts put back as names: the
// SHA-256 of each ticket it issued (<TICKET1>, ... in order: OpenSSL's
// session id of a session it got by a ticket), the resumption PSK of
// each TLS 1.3 ticket (<PSK1>, ...: OpenSSL's master key of that
// session), the ServerHello's session id, the TLS 1.2 master secret
// (<MASTER>) and the Finished
// HAProxy's ssl_bc_unique_id reads (<FINISHED>: the server's on a full
// handshake, the client's on a resumed one), read with the key log it
// keeps. A value the client got wrong stays in the text.
type keysRecorder struct {
	mu   sync.Mutex
	got  []string
	addr string
}

// keysTap reads what the server side needs to name the secrets: the
// hellos (randoms, session id) and the bytes the server wrote.
type keysTap struct {
	net.Conn
	client, server tlsconf.HelloRandom
	in, out        tlsconf.RecordTap
}

func (w *keysTap) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	w.client.Feed(p[:n])
	w.in.Feed(p[:n])
	return n, err
}

func (w *keysTap) Write(p []byte) (int, error) {
	w.server.Feed(p)
	w.out.Feed(p)
	return w.Conn.Write(p)
}

func startKeysRecorder(t *testing.T, base *tls.Config, reply string) *keysRecorder {
	t.Helper()
	r := &keysRecorder{}
	keys := &tlsconf.KeyLog{Master: true, Handshake: true}
	var (
		mu      sync.Mutex
		tickets [][]byte
		psks    [][]byte
	)
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
		cfg.KeyLogWriter = keys
		cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
			tk, err := cfg.EncryptTicket(cs, ss)
			mu.Lock()
			tickets = append(tickets, tk)
			if cs.Version >= tls.VersionTLS13 {
				psks = append(psks, sessionPSK(ss))
			}
			mu.Unlock()
			return tk, err
		}
	}
	r.addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		names := map[string]string{}
		var rw io.ReadWriter = c
		if cfg != nil {
			tap := &keysTap{Conn: c}
			tap.server.Server = true
			tap.client.KeepHello = true
			tap.server.KeepSessionID = true
			tap.out.On, tap.in.On = true, true
			tc := tls.Server(tap, cfg)
			if tc.Handshake() != nil {
				return
			}
			rw = tc
			st := tc.ConnectionState()
			if len(tap.server.SessionID) > 0 {
				names[strings.ToUpper(hex.EncodeToString(tap.server.SessionID))] = "<SERVER_HELLO_SESSION_ID>"
			}
			s := keys.Take(tap.client.Random)
			out, in := tap.out.Take(), tap.in.Take()
			var fin []byte
			switch {
			case st.Version >= tls.VersionTLS13 && s != nil && st.DidResume:
				fin = tlsconf.Finished13(in, st.CipherSuite, s.ClientHandshake)
			case st.Version >= tls.VersionTLS13 && s != nil:
				fin = tlsconf.Finished13(out, st.CipherSuite, s.ServerHandshake)
			case st.Version < tls.VersionTLS13:
				m := tlsconf.ResumedMaster(cfg, tap.client.Hello, &st)
				if s != nil && s.Master != "" {
					m, _ = hex.DecodeString(s.Master)
				}
				if len(m) > 0 {
					names[strings.ToUpper(hex.EncodeToString(m))] = "<MASTER>"
					if st.DidResume {
						fin = tlsconf.Finished12(in, st.Version, st.CipherSuite, m, tap.client.Random, tap.server.Random, false)
					} else {
						fin = tlsconf.Finished12(out, st.Version, st.CipherSuite, m, tap.client.Random, tap.server.Random, true)
					}
				}
			}
			if len(fin) > 0 {
				names[strings.ToUpper(hex.EncodeToString(fin))] = "<FINISHED>"
			}
			if st.DidResume {
				names["RESUMED"] = "RESUMED"
			}
		}
		var lines []string
		rd := bufio.NewReader(rw)
		for {
			l, err := rd.ReadString('\n')
			if l != "" {
				lines = append(lines, l)
				rw.Write([]byte(reply))
			}
			if err != nil || strings.HasPrefix(l, "GET ") {
				break
			}
		}
		text := strings.Join(lines, "")
		mu.Lock()
		for i, tk := range tickets {
			sum := sha256.Sum256(tk)
			names[strings.ToUpper(hex.EncodeToString(sum[:]))] = fmt.Sprintf("<TICKET%d>", i+1)
		}
		for i, k := range psks {
			if len(k) > 0 {
				names[strings.ToUpper(hex.EncodeToString(k))] = fmt.Sprintf("<PSK%d>", i+1)
			}
		}
		mu.Unlock()
		for k, v := range names {
			text = strings.ReplaceAll(text, k, v)
		}
		if names["RESUMED"] != "" {
			text = "(resumed) " + text
		}
		r.mu.Lock()
		r.got = append(r.got, text)
		r.mu.Unlock()
	})
	return r
}

// firstTwo is what the first two connections sent, "" until both came.
func (r *keysRecorder) firstTwo() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) < 2 {
		return ""
	}
	return r.got[0] + " | " + r.got[1]
}

// TestCheckTLSKeysMatchHAProxy: ssl_bc_session_id, ssl_bc_session_key
// (in TLS 1.3 the resumption PSK of the session's ticket, <PSKn>),
// ssl_bc_unique_id, ssl_bc_err, ssl_bc_err_str and ssl_bc_npn in a
// check's rules read the check's own connection as HAProxy 2.6's do: in
// tcp-check send-lf before and after a read (a TLS 1.3 ticket arrives
// after the handshake) and in http-check set-var and send uri-lf; over
// TLS 1.3, TLS 1.2 with and without tickets, and in clear; the first
// two checks of each server (the second resumes the first's session;
// one thread, as HAProxy keeps a server's session per thread) must send
// the same bytes from both.
func TestCheckTLSKeysMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cert := throwawayCert(t)
	tls13 := &tls.Config{Certificates: []tls.Certificate{cert}}
	tls12 := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12}
	tls12nt := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12, SessionTicketsDisabled: true}
	const okHTTP = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	line := `K=%[ssl_bc_session_key,hex] SID=%[ssl_bc_session_id,hex] UID=%[ssl_bc_unique_id,hex] E=%[ssl_bc_err] ES=%[ssl_bc_err_str] N=%[ssl_bc_npn]`
	send := func(n int) string {
		return fmt.Sprintf("tcp-check send-lf \"%d %s\\n\"\n    tcp-check expect string OK\n", n, line)
	}
	names := []string{"tcp-check over TLS 1.3", "tcp-check over TLS 1.2", "tcp-check over TLS 1.2 without tickets",
		"http-check over TLS 1.2", "tcp-check in clear", "tcp-check over a connect rule's ssl, TLS 1.2"}
	run := func(ha bool) []string {
		recs := []*keysRecorder{startKeysRecorder(t, tls13, "OK\n"), startKeysRecorder(t, tls12, "OK\n"),
			startKeysRecorder(t, tls12nt, "OK\n"), startKeysRecorder(t, tls12, okHTTP), startKeysRecorder(t, nil, "OK\n"),
			startKeysRecorder(t, tls12, "OK\n")}
		front := loopback.FreeAddr(t)
		cfg := fmt.Sprintf("global\n    nbthread 1\n"+
			"defaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n"+
			"frontend f\n    mode tcp\n    bind %s\n    default_backend t13\n"+
			"backend t13\n    mode tcp\n    option tcp-check\n    %s    %s"+
			"    server s %s check check-ssl verify none inter 300ms\n"+
			"backend t12\n    mode tcp\n    option tcp-check\n    %s    tcp-check send-lf \"K=%%[ssl_bc_session_key,hex]\\n\"\n    tcp-check expect string OK\n    %s"+
			"    server s %s check check-ssl verify none ssl-max-ver TLSv1.2 inter 300ms\n"+
			"backend t12nt\n    mode tcp\n    option tcp-check\n    %s    %s"+
			"    server s %s check check-ssl verify none ssl-max-ver TLSv1.2 inter 300ms\n"+
			"backend h12\n    mode http\n    option httpchk\n    http-check set-var(check.u) ssl_bc_unique_id,hex\n"+
			"    http-check send meth GET uri-lf /%%[ssl_bc_session_id,hex]/%%[var(check.u)]/%%[ssl_bc_err]/%%[ssl_bc_session_key,hex]\n"+
			"    server s %s check check-ssl verify none ssl-max-ver TLSv1.2 inter 300ms\n"+
			"backend clear\n    mode tcp\n    option tcp-check\n    %s    %s"+
			"    server s %s check inter 300ms\n"+
			"backend rssl\n    mode tcp\n    option tcp-check\n    tcp-check connect ssl\n    %s    %s"+
			"    server s %s check verify none ssl-max-ver TLSv1.2 inter 300ms\n",
			front, send(1), send(2), recs[0].addr, send(1), send(2), recs[1].addr, send(1), send(2), recs[2].addr, recs[3].addr,
			send(1), send(2), recs[4].addr, send(1), send(2), recs[5].addr)
		defer startSide(t, ha, writeConfig(t, cfg))()
		// two checks of each server (every 300ms), 8 s at most
		return awaitRecorded(8*time.Second, recs[0].firstTwo, recs[1].firstTwo, recs[2].firstTwo, recs[3].firstTwo, recs[4].firstTwo, recs[5].firstTwo)
	}
	h, g := run(true), run(false)
	sameRecorded(t, names, h, g)
	// what the test relies on: resumed second checks, the values named
	// (TLS 1.3: the ticket offered and its PSK, then the one received
	// after the handshake, none before the first; TLS 1.2: the ticket
	// received in the handshake, the master secret)
	if !strings.HasPrefix(h[0], "1 K= SID= ") || !strings.Contains(h[0], "2 K=<PSK1> SID=<TICKET1>") ||
		!strings.Contains(h[0], "| (resumed) 1 K=<PSK1> SID=<TICKET1> UID=<FINISHED>") || !strings.Contains(h[0], "2 K=<PSK2> SID=<TICKET2> UID=<FINISHED>") {
		t.Errorf("haproxy's %s did not send what the test expects: %q", names[0], h[0])
	}
	if !strings.Contains(h[1], "| (resumed) 1 K=<MASTER> SID=<TICKET2> UID=<FINISHED>") {
		t.Errorf("haproxy's %s did not send what the test expects: %q", names[1], h[1])
	}
}

// sServerHelloIDs reads openssl s_server's -msg trace: the session id of
// each ServerHello it sent, in hex (upper case, as the hex converter
// writes it).
func sServerHelloIDs(trace string) []string {
	var ids []string
	lines := strings.Split(trace, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, ">>> ") || !strings.HasSuffix(l, "ServerHello") {
			continue
		}
		var msg []byte
		for _, h := range lines[i+1:] {
			if !strings.HasPrefix(h, "    ") {
				break
			}
			b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(h), " ", ""))
			if err != nil {
				break
			}
			msg = append(msg, b...)
		}
		if len(msg) > 38 && len(msg) >= 39+int(msg[38]) {
			ids = append(ids, strings.ToUpper(hex.EncodeToString(msg[39:39+int(msg[38])])))
		}
	}
	return ids
}

// TestCheckSessionIDServerHelloMatchesHAProxy: over TLS 1.2 without
// tickets, ssl_bc_session_id in a check is the session id the server's
// ServerHello gave (openssl s_server, which keeps a session cache), as
// HAProxy's first check sends it.
func TestCheckSessionIDServerHelloMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	dir := t.TempDir()
	if out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", dir+"/k.pem", "-out", dir+"/c.pem", "-days", "1", "-subj", "/CN=t").CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	run := func(ha bool) (string, []string) {
		srvAddr := loopback.FreeAddr(t)
		var trace haproxytest.Buffer
		srv := exec.Command("openssl", "s_server", "-accept", srvAddr, "-cert", dir+"/c.pem", "-key", dir+"/k.pem",
			"-tls1_2", "-no_ticket", "-msg")
		srv.Stdout, srv.Stderr = &trace, &trace
		stdin, _ := srv.StdinPipe() // kept open: s_server stops at its end
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { stdin.Close(); srv.Process.Kill(); srv.Wait() }()
		for deadline := time.Now().Add(3 * time.Second); !strings.Contains(trace.String(), "ACCEPT") && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		cfg := fmt.Sprintf("defaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n"+
			"frontend f\n    mode tcp\n    bind %s\n    default_backend b\n"+
			"backend b\n    mode tcp\n    option tcp-check\n    tcp-check send-lf \"SID=%%[ssl_bc_session_id,hex]\\n\"\n"+
			"    server s %s check check-ssl verify none inter 300ms\n", loopback.FreeAddr(t), srvAddr)
		defer startSide(t, ha, writeConfig(t, cfg))()
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(trace.String(), "SID=") && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // the rest of the line
		tr := trace.String()
		i := strings.Index(tr, "SID=")
		if i < 0 {
			return "", nil
		}
		line, _, _ := strings.Cut(tr[i:], "\n")
		ids := sServerHelloIDs(tr)
		for _, id := range ids {
			if id != "" {
				line = strings.ReplaceAll(line, id, "<SERVER_HELLO_SESSION_ID>")
			}
		}
		return line, ids
	}
	h, hids := run(true)
	g, gids := run(false)
	t.Logf("haproxy   %q (ServerHello ids %q)\ngohaproxy %q (ServerHello ids %q)", h, hids, g, gids)
	if h != "SID=<SERVER_HELLO_SESSION_ID>" {
		t.Errorf("haproxy's check did not send what the test expects: %q", h)
	}
	if g != h {
		t.Errorf("the first check sent\n haproxy   %q\n gohaproxy %q", h, g)
	}
}

// sessionPSK is the secret of a TLS 1.3 session a Go server issues a
// ticket for (SessionState.Bytes: version, type, cipher suite, creation
// time, then the secret, length-prefixed): the resumption PSK, which
// OpenSSL's client keeps as the session's master key.
func sessionPSK(ss *tls.SessionState) []byte {
	b, err := ss.Bytes()
	if err != nil || len(b) < 14 || len(b) < 14+int(b[13]) {
		return nil
	}
	return b[14 : 14+int(b[13])]
}
