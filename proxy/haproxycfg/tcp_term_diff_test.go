package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// termCase is one relay ending: the timeouts and options, what the client
// and the server do once the session relays (termPeer), and the
// termination state HAProxy 2.6.12 logs (measured; the test compares with
// the real one anyway).
type termCase struct {
	name, mode     string
	timeouts       string // defaults lines
	fe, be         string // frontend and backend lines
	client, server string
	want           string
}

// termCases are TCP sessions, HTTP upgrades (101) and HTTP response bodies
// ending on each side's
// timeout, a reset, a half-close under the *-fin timeouts and a normal
// end. Each side's clock is its own: the first to run out half-closes the
// relay (the other side gets a FIN) and names the state; the other
// direction goes on under its clock. (Two equal timeouts on a silent
// session, or the two ends of timeout tunnel, are left out: HAProxy's
// two clocks start a millisecond apart or not, and it logs cD or sD, and
// sends the server a FIN or a reset, from one run to the next.)
var termCases = []termCase{
	{"client-timeout", "tcp", "timeout client 1s\n    timeout server 2s", "", "", "silent", "silent", "cD"},
	{"server-timeout", "tcp", "timeout client 2s\n    timeout server 1s", "", "", "silent", "silent", "sD"},
	{"tunnel-timeout", "tcp", "timeout client 3s\n    timeout server 3s\n    timeout tunnel 1s", "", "", "silent", "finnow", "cD"},
	{"client-reset", "tcp", "timeout client 2s\n    timeout server 2s", "", "", "rst", "silent", "CD"},
	{"server-reset", "tcp", "timeout client 2s\n    timeout server 2s", "", "", "silent", "rst", "SD"},
	{"client-fin-server-fin-timeout", "tcp", "timeout client 1s\n    timeout server 2s\n    timeout server-fin 1s", "", "", "fin300", "silent", "sD"},
	{"server-fin-client-fin-timeout", "tcp", "timeout client 2s\n    timeout server 1s\n    timeout client-fin 1s", "", "", "silent", "finnow", "cD"},
	{"client-fin-normal", "tcp", "timeout client 2s\n    timeout server 2s", "", "", "fin300", "reply", "--"},
	{"client-sends", "tcp", "timeout client 1s\n    timeout server 1s", "", "", "send", "silent", "cD"},
	{"server-sends", "tcp", "timeout client 1s\n    timeout server 1s", "", "", "silent", "send", "cD"},
	// option independent-streams: bytes sent to the side of the proxy
	// that has it no longer keep its clock running.
	{"indep-backend-client-sends", "tcp", "timeout client 1s\n    timeout server 1s", "", "option independent-streams", "send", "silent", "sD"},
	{"indep-backend-server-sends", "tcp", "timeout client 1s\n    timeout server 1s", "", "option independent-streams", "silent", "send", "cD"},
	{"indep-frontend-server-sends", "tcp", "timeout client 1s\n    timeout server 1s", "option independent-streams", "", "silent", "send", "cD"},
	{"http-tunnel-timeout", "http", "timeout client 3s\n    timeout server 3s\n    timeout tunnel 1s", "", "", "fin300", "silent", "sD"},
	{"http-server-timeout", "http", "timeout client 2s\n    timeout server 1s", "", "", "silent", "silent", "sD"},
	{"http-client-timeout", "http", "timeout client 1s\n    timeout server 2s", "", "", "silent", "silent", "cD"},
	{"http-client-reset", "http", "timeout client 2s\n    timeout server 2s", "", "", "rst", "silent", "CD"},
	{"http-server-reset", "http", "timeout client 2s\n    timeout server 2s", "", "", "silent", "rst", "SD"},
	// an HTTP response body that stops coming (mode httpbody: a 200 head
	// announcing 100000 bytes, then nothing)
	{"http-body-server-timeout", "httpbody", "timeout client 2s\n    timeout server 1s", "", "", "silent", "silent", "sD"},
	{"http-body-server-reset", "httpbody", "timeout client 2s\n    timeout server 2s", "", "", "silent", "rst", "SD"},
	{"http-body-server-close", "httpbody", "timeout client 2s\n    timeout server 2s", "", "", "silent", "close300", "SD"},
}

// termHold is how long each peer keeps its connection before closing it.
const termHold = 4500 * time.Millisecond

// TestTCPTermStateDifferential: how a relayed session ends, beside HAProxy
// 2.6: what the client and the server see (a FIN or a reset, the bytes,
// when: within 350 ms of HAProxy's), the log line (its termination state,
// its total time within 350 ms) and the backend's and server's cli_abrt
// and srv_abrt.
func TestTCPTermStateDifferential(t *testing.T) {
	for _, tc := range termCases {
		if strings.HasPrefix(tc.name, "indep-") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runTermCase(t, tc)
		})
	}
}

// TestIndependentStreamsDifferential: option independent-streams in tcp
// mode beside HAProxy 2.6. On the backend, a client that keeps sending to
// a silent server: the server's clock runs out after timeout server (the
// client gets a FIN, logged sD) while the client's bytes still reach the
// server, until the client's own clock runs out. Without the option (the
// client-sends case of TestTCPTermStateDifferential) the bytes sent keep
// both clocks running.
func TestIndependentStreamsDifferential(t *testing.T) {
	for _, tc := range termCases {
		if !strings.HasPrefix(tc.name, "indep-") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runTermCase(t, tc)
		})
	}
}

func runTermCase(t *testing.T, tc termCase) {
	srvSeen := make(chan string, 4)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if !termHandshake(c, tc.mode, true) {
			return // a readiness probe
		}
		srvSeen <- termPeer(c, tc.server)
	})
	logOpt, mode := "option tcplog", tc.mode
	if tc.mode != "tcp" {
		logOpt, mode = "option httplog", "http"
	}
	cfg := `global
    log LOG local0
defaults
    mode ` + mode + `
    log global
    ` + logOpt + `
    timeout connect 2s
    ` + tc.timeouts + `
frontend fe
    bind BIND
    ` + tc.fe + `
    default_backend be
backend be
    ` + tc.be + `
    server s1 ` + server + `
`
	sock := filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
	drainLines(haLog, 300*time.Millisecond) // the readiness probes
	drainLines(goLog, 50*time.Millisecond)
	base := readAborts(t, sock, px)
	var cli [2]string
	var wg sync.WaitGroup
	for i, addr := range []string{ha, goha} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				cli[i] = err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if !termHandshake(c, tc.mode, false) {
				cli[i] = "no handshake"
				return
			}
			cli[i] = termPeer(c, tc.client)
		}()
	}
	wg.Wait()
	var srvs []string
	wait := time.After(termHold + 3*time.Second) // the servers hold their connections
	for range 2 {
		select {
		case s := <-srvSeen:
			srvs = append(srvs, s)
		case <-wait:
			srvs = append(srvs, "no connection")
		}
	}
	t.Logf("client %s; servers %v", cli[0], srvs)
	if !sameTermEvents(cli[0], cli[1]) {
		t.Errorf("the client saw\nhaproxy %s\ngoha    %s", cli[0], cli[1])
	}
	if !sameTermEvents(srvs[0], srvs[1]) {
		t.Errorf("the servers saw %q and %q", srvs[0], srvs[1])
	}
	w, g := rawLine(t, haLog, "haproxy"), rawLine(t, goLog, "goha")
	t.Logf("haproxy: %s", w)
	if termNorm(w, tc.mode) != termNorm(g, tc.mode) {
		t.Errorf("log\nhaproxy %s\ngoha    %s", w, g)
	}
	if !strings.Contains(w, " "+tc.want) {
		t.Errorf("haproxy logged %s, the case says %s", w, tc.want)
	}
	if a, b := logTotal(w), logTotal(g); a < 0 || b < 0 || absDur(a-b) > 350*time.Millisecond {
		t.Errorf("total time: haproxy %v, goha %v", a, b)
	}
	sameAbortDeltas(t, tc.name, sock, px, base)
}

// termNorm is normLog: an upgrade's %B included (HAProxy 2.6 counts 82
// bytes for the 75 of this 101 head, its HTX size, and so does goha).
func termNorm(line, mode string) string {
	return normLog(line)
}

// termHandshake starts a session: in TCP the client sends one byte (a
// readiness probe sends none: the server sees its end), in HTTP an
// upgrade request the server answers with a 101 (httpbody: a GET answered
// with the head of a 100000-byte body).
func termHandshake(c net.Conn, mode string, server bool) bool {
	if mode == "tcp" {
		if server {
			_, err := c.Read(make([]byte, 1))
			return err == nil
		}
		_, err := c.Write([]byte("T"))
		return err == nil
	}
	req, resp := "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: myproto\r\nConnection: Upgrade\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: myproto\r\nConnection: Upgrade\r\n\r\n"
	if mode == "httpbody" {
		req, resp = "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
	}
	if !server {
		if _, err := c.Write([]byte(req)); err != nil {
			return false
		}
	}
	br := bufio.NewReader(c)
	if _, err := readHead(br); err != nil {
		return false
	}
	if br.Buffered() > 0 {
		return false // nothing follows the heads in these cases
	}
	if server {
		_, err := c.Write([]byte(resp))
		return err == nil
	}
	return true
}

// termPeer plays one side once the session relays and says what it saw,
// each event with its time since the start (tenths of a second):
//   - silent: reads to the end;
//   - rst: resets the connection after 300 ms; close300: closes it then;
//   - fin300 / finnow: half-closes after 300 ms / at once, then reads to
//     the end;
//   - send: sends 10 bytes every 300 ms for 2.5 s while reading to the end;
//   - reply: reads to the end, answers "pong" and closes.
//
// Then it holds its connection until termHold.
func termPeer(c net.Conn, behave string) string {
	t0 := time.Now()
	var out []string
	var mu sync.Mutex
	note := func(s string) {
		mu.Lock()
		out = append(out, fmt.Sprintf("%s@%d", s, time.Since(t0)/(100*time.Millisecond)))
		mu.Unlock()
	}
	tc := c.(*net.TCPConn)
	switch behave {
	case "rst":
		time.Sleep(300 * time.Millisecond)
		tc.SetLinger(0)
		tc.Close()
		return "sent-rst"
	case "fin300":
		time.Sleep(300 * time.Millisecond)
		tc.CloseWrite()
	case "finnow":
		tc.CloseWrite()
	case "close300":
		time.Sleep(300 * time.Millisecond)
		tc.Close()
		return "closed"
	case "send":
		done := make(chan struct{})
		go func() { note(readEnd(c)); close(done) }()
		// nine writes of 10 bytes, one every 300 ms from t0, late or on
		// time: a loaded machine's slower sleeps once left room for only
		// eight before 2.5 s on one side (80 bytes against 90)
		for i := range 9 {
			time.Sleep(time.Until(t0.Add(time.Duration(i) * 300 * time.Millisecond)))
			if _, err := c.Write(bytes.Repeat([]byte("x"), 10)); err != nil {
				note("write error")
				break
			}
		}
		<-done
		time.Sleep(time.Until(t0.Add(termHold)))
		return strings.Join(out, " ")
	}
	note(readEnd(c))
	if behave == "reply" {
		c.Write([]byte("pong"))
		return strings.Join(out, " ")
	}
	time.Sleep(time.Until(t0.Add(termHold)))
	return strings.Join(out, " ")
}

// readEnd reads c to its end: "fin", "reset" or the error, with the bytes
// read.
func readEnd(c net.Conn) string {
	buf := make([]byte, 4096)
	n := 0
	for {
		k, err := c.Read(buf)
		n += k
		if err != nil {
			return fmt.Sprintf("%s(%dB)", endOf(err), n)
		}
	}
}

// sameTermEvents: the same events, each within 350 ms (3 tenths, give or
// take the rounding) of the other's.
func sameTermEvents(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		wa, ta, _ := strings.Cut(fa[i], "@")
		wb, tb, _ := strings.Cut(fb[i], "@")
		na, _ := strconv.Atoi(ta)
		nb, _ := strconv.Atoi(tb)
		if wa != wb || na-nb > 3 || nb-na > 3 {
			return false
		}
	}
	return true
}

func rawLine(t *testing.T, ch chan string, who string) string {
	t.Helper()
	select {
	case l := <-ch:
		return l
	case <-time.After(5 * time.Second):
		t.Errorf("%s logged nothing", who)
		return ""
	}
}

// logTotal is a tcplog or httplog line's total time (the last of its
// timers), -1 if none.
func logTotal(line string) time.Duration {
	f := strings.Fields(line)
	if len(f) < 6 {
		return -1
	}
	ts := strings.Split(f[5], "/")
	ms, err := strconv.Atoi(strings.TrimPrefix(ts[len(ts)-1], "+"))
	if err != nil {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
