package haproxycfg

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/sys/unix"
)

// TestNoLingerFrontendHTTPDifferential: option nolinger on an http
// frontend (inherited from defaults, and cancelled by `no option
// nolinger`), beside HAProxy 2.6. For each way an exchange ends (a
// `Connection: close` request, HTTP/1.0, a deny page, a keep-alive
// timeout, a request timeout's 408, a parser error's 400, the client's
// FIN after a keep-alive answer, a half-closed HTTP/1.1 or HTTP/1.0
// request answered late) the client's view is compared: the
// answer's status line, how its read ended (FIN or reset) and whether
// the socket was then reset (closed) or left waiting in CLOSE_WAIT.
// With the option HAProxy sends its FIN then a reset when it ends the
// connection, a lone reset when the connection ends on the client's FIN,
// and, when the client's FIN came before HAProxy ended it (a
// half-closed HTTP/1.0 request), a plain FIN or a lone reset as its drain
// found that FIN or not (racy in HAProxy; goha's is the FIN); without it
// a FIN only. The log lines are compared too.
func TestNoLingerFrontendHTTPDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	// the half-closed requests' FIN reaches the proxies well before
	// the answer
	web := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(150 * time.Millisecond)
		}
		w.Header().Set("Date", "fixed")
		io.WriteString(w, "web\n")
	})}
	ln := loopback.Listen(t)
	go web.Serve(ln)
	t.Cleanup(func() { web.Close() })
	for _, fe := range []string{"", "    no option nolinger\n"} {
		cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    option nolinger
    timeout connect 2s
    timeout client 2s
    timeout server 2s
    timeout http-request 400ms
    timeout http-keep-alive 400ms
frontend fe
    bind BIND
` + fe + `    http-request deny if { path /deny }
    default_backend be
backend be
    server s1 ` + ln.Addr().String() + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		dropStartLines(haLog, goLog)
		want := "closed"
		if fe != "" {
			want = "close-wait"
		}
		for _, sc := range []string{"close", "http10", "deny", "keep-alive", "idle", "bad", "client-fin", "half-close", "half-close-http10"} {
			var got [2]string
			got[0], got[1] = bothAtOnce(ha, goha, func(addr string) string { return noLingerHTTPClient(t, addr, sc) })
			t.Logf("%q %s: %s", fe, sc, got[0])
			if sc == "half-close-http10" {
				// HAProxy's end here is racy (measured: a lone reset or
				// a FIN, as its drain found the client's FIN or not)
				got[0] = strings.Replace(got[0], ", reset,", ", fin,", 1)
			}
			if got[0] != got[1] {
				t.Errorf("%q %s: the client saw\nhaproxy %q\ngoha    %q", fe, sc, got[0], got[1])
			}
			if !strings.HasPrefix(sc, "half-close") && sc != "client-fin" && !strings.HasSuffix(got[0], "fin, "+want) {
				t.Errorf("%q %s: haproxy's client saw %q, want its FIN then %s", fe, sc, got[0], want)
			}
			sameLoggedLines(t, fmt.Sprintf("%q %s", fe, sc), haLog, goLog, 0)
		}
	}
}

// noLingerHTTPClient plays an HTTP scenario and says what the client saw:
// the first status line, how its read ended and the socket's state then.
func noLingerHTTPClient(t *testing.T, addr, sc string) string {
	c := dialClient(t, addr, 3*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	switch sc {
	case "close":
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	case "http10":
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	case "deny":
		io.WriteString(c, "GET /deny HTTP/1.1\r\nHost: x\r\n\r\n")
	case "keep-alive", "client-fin":
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	case "bad":
		io.WriteString(c, "GET / HTTP/1.1\r\nHost x\r\n\r\n")
	case "half-close":
		io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
		c.(*net.TCPConn).CloseWrite()
	case "half-close-http10":
		io.WriteString(c, "GET /slow HTTP/1.0\r\n\r\n")
		c.(*net.TCPConn).CloseWrite()
	}
	r := bufio.NewReader(c)
	status, _ := r.ReadString('\n')
	if sc == "client-fin" {
		// the whole answer, then the client's FIN
		readPast(r, "web\n")
		c.(*net.TCPConn).CloseWrite()
	}
	_, err := io.Copy(io.Discard, r)
	return strings.TrimSpace(status) + ", " + endOf(err) + ", " + tcpStateAfter(c)
}

// tcpStateAfter says whether a client socket whose read ended was reset
// ("closed"), or is still waiting for its own close ("close-wait"):
// HAProxy's RST follows its FIN at once, so the wait is short, bounded.
func tcpStateAfter(c net.Conn) string {
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return err.Error()
	}
	state := uint8(0)
	for end := time.Now().Add(500 * time.Millisecond); ; time.Sleep(20 * time.Millisecond) {
		raw.Control(func(fd uintptr) {
			if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
				state = info.State
			}
		})
		if state == unix.BPF_TCP_CLOSE || time.Now().After(end) {
			break
		}
	}
	switch state {
	case unix.BPF_TCP_CLOSE:
		return "closed"
	case unix.BPF_TCP_CLOSE_WAIT:
		return "close-wait"
	case unix.BPF_TCP_TIME_WAIT, unix.BPF_TCP_FIN_WAIT2:
		return "client closed"
	}
	return "state " + string(rune('0'+state))
}

// TestNoLingerTCPFrontendTaken: the option is taken on tcp frontends and
// listens with clear binds (TestNoLingerTCPFrontendDifferential) and ssl
// binds (TestNoLingerTLSFrontendDifferential), on http frontends and on
// any backend.
func TestNoLingerTCPFrontendTaken(t *testing.T) {
	head := "defaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"
	pki := newTestPKI(t)
	for cfg, want := range map[string]string{
		"frontend f\n    mode tcp\n    bind 127.0.0.1:1\n    option nolinger\n    default_backend b\nbackend b\n    mode tcp\n    server s 127.0.0.1:1\n":                         "",
		"listen l\n    mode tcp\n    bind 127.0.0.1:1\n    option nolinger\n    server s 127.0.0.1:1\n":                                                                           "",
		"listen l\n    mode tcp\n    bind 127.0.0.1:1 ssl crt " + pki.Dir + "/a.pem\n    option nolinger\n    server s 127.0.0.1:1\n":                                             "",
		"frontend f\n    mode tcp\n    bind 127.0.0.1:1\n    no option nolinger\n    default_backend b\nbackend b\n    mode tcp\n    option nolinger\n    server s 127.0.0.1:1\n": "",
		"listen l\n    mode http\n    bind 127.0.0.1:1\n    option nolinger\n    server s 127.0.0.1:1\n":                                                                          "",
	} {
		n := notices(buildText(t, head+cfg))
		if want == "" && len(n) != 0 || want != "" && (len(n) != 1 || !strings.Contains(n[0], want)) {
			t.Errorf("%s: notices %q, want %q", cfg, n, want)
		}
	}
}

// TestNoLingerHTTPTunnelDifferential: option nolinger on an http backend,
// beside HAProxy 2.6: in a WebSocket tunnel the client's half-close
// resets the server, whose late answer is dropped (the client then gets
// a FIN), as on a tcp backend; without the option the FIN is passed on
// and the answer flows back. (The backend's other closes are resets with
// or without the option, measured: after `option http-server-close`, a
// 504, an aborted request.)
func TestNoLingerHTTPTunnelDifferential(t *testing.T) {
	t.Parallel()
	seen := make(chan string, 8)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		r := bufio.NewReader(c)
		if _, err := readHead(r); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
			"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
		_, err := io.Copy(io.Discard, r)
		time.Sleep(150 * time.Millisecond)
		c.Write([]byte("bye"))
		seen <- endOf(err)
	})
	for _, be := range []string{"    option nolinger\n", ""} {
		cfg := httpLogHead2s + `frontend fe
    bind BIND
    default_backend be
backend be
` + be + `    server s1 ` + server + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		dropStartLines(haLog, goLog)
		var got [2]string
		got[0], got[1] = bothAtOnce(ha, goha, func(addr string) string { return noLingerTunnelClient(t, addr) })
		servers := serverEnds(seen, 2, 2*time.Second)
		want, wantClient := "reset", " then fin"
		if be == "" {
			want, wantClient = "fin", "bye then fin"
		}
		t.Logf("%q: client %q, servers %v", be, got[0], servers)
		if got[0] != got[1] || got[0] != wantClient {
			t.Errorf("%q: the client saw\nhaproxy %q\ngoha    %q\nwant    %q", be, got[0], got[1], wantClient)
		}
		if servers[0] != want || servers[1] != want {
			t.Errorf("%q: the servers saw %v, want %s from both", be, servers, want)
		}
		// %B aside: in this tunnel HAProxy logs 3 bytes more than goha
		// with the option or without it (135 where the client got the
		// 129-byte head and "bye"; 132 where "bye" was dropped): a
		// tunnel byte count difference of its own, not nolinger's
		w, g := loggedBoth(haLog, goLog, true)
		for _, l := range [][]string{w, g} {
			for i := range l {
				if f := strings.Fields(l[i]); len(f) > 7 {
					f[7] = "B"
					l[i] = strings.Join(f, " ")
				}
			}
		}
		if strings.Join(w, "\n") != strings.Join(g, "\n") || len(w) == 0 {
			t.Errorf("%q: log\nhaproxy %q\ngoha    %q", be, w, g)
		}
	}
}

// noLingerTunnelClient upgrades to a WebSocket tunnel, half-closes it and
// says what came back and how it ended.
func noLingerTunnelClient(t *testing.T, addr string) string {
	c := dialClient(t, addr, 3*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	r := bufio.NewReader(c)
	if _, err := readHead(r); err != nil {
		return "no upgrade: " + endOf(err)
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(r)
	return string(b) + " then " + endOf(err)
}
