package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// gatedBackend answers each request with a head at once and its body only
// once gate receives (or after 3 s): what a proxy logs before the body
// left the server shows when it logs.
func gatedBackend(t *testing.T, gate chan struct{}) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(8 * time.Second))
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // a probe
			}
			if line == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: b\r\n\r\n")
		select {
		case <-gate:
		case <-time.After(3 * time.Second):
		}
		io.WriteString(c, "0123456789")
	})
}

// asapEvents runs the logasap configuration with bin and returns, per
// request, the log line (syslog header removed, timers masked), whether
// it arrived before the server sent the body, and the client's bytes.
func asapEvents(t *testing.T, bin string) []string {
	gate := make(chan struct{}, 1)
	backend := gatedBackend(t, gate)
	syslog := loopback.ListenUDP(t)
	httpBind, tcpBind, noEndBind := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fh
    bind %s
    option logasap
    log-format "H %%HU %%ST %%B %%U %%tsc %%Ta %%Tt"
    http-request deny if { path /deny }
    http-response set-header x-res 12345
    default_backend be
frontend fn
    bind %s
    log-format "N %%HU %%ST %%Tr %%Th"
    default_backend be
frontend ft
    bind %s
    mode tcp
    option logasap
    log-format "T %%ts %%B %%Tc %%Tt"
    default_backend bt
backend be
    server s1 %s
backend bt
    mode tcp
    server s1 %s
`, syslog.LocalAddr(), httpBind, noEndBind, tcpBind, backend, backend)
	startWithConfig(t, bin, cfg, httpBind)
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	timers := regexp.MustCompile(`(\+?)-?\d+ (\+?)-?\d+$`)
	next := func(prefix string, within time.Duration) string {
		buf := make([]byte, 4096)
		syslog.SetReadDeadline(time.Now().Add(within))
		for {
			n, err := syslog.Read(buf)
			if err != nil {
				return "(none)"
			}
			l := header.ReplaceAllString(strings.TrimSuffix(string(buf[:n]), "\n"), "")
			if strings.HasPrefix(l, prefix) && !strings.Contains(l, "<BADREQ>") {
				return timers.ReplaceAllString(l, "${1}T ${2}T")
			}
		}
	}
	var out []string
	for _, r := range []struct{ addr, prefix, path string }{
		{httpBind, "H /a", "/a"}, {httpBind, "H /deny", "/deny"}, {tcpBind, "T ", "/t"},
		{noEndBind, "N /n", "/n"}, {httpBind, "H /abort", "/abort"}, {noEndBind, "N /abort", "/abort"},
	} {
		c, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(8 * time.Second))
		io.WriteString(c, "GET "+r.path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		early := next(r.prefix, 1500*time.Millisecond)
		var b []byte
		if r.path == "/abort" {
			// the client leaves before the body: the proxy's write
			// of it fails
			c.Close()
			time.Sleep(100 * time.Millisecond)
			gate <- struct{}{}
		} else {
			gate <- struct{}{}
			b, _ = io.ReadAll(c)
			c.Close()
		}
		late := "(early)"
		if early == "(none)" {
			late = next(r.prefix, 2*time.Second)
		} else {
			<-time.After(0)
		}
		select { // the deny never reached the server
		case <-gate:
		default:
		}
		out = append(out, fmt.Sprintf("%s before the body: %s; at the end: %s; client got %q", r.path, early, late, b))
	}
	return out
}

// TestLogASAPMatchHAProxy: option logasap logs an HTTP transaction when
// its response head leaves (after the http-response rules, bytes so far,
// '+' before %Ta, %Tt and %B) and a TCP session when its server
// connection is up, before the server sends its body; a denied request is
// logged at its end, '+' included; the early line's %U is 0 (HAProxy
// brings bytes_in up to date at the stream's end without contstats); a
// client that leaves before the body changes nothing to the early line.
// An HTTP frontend whose log-format has no tag that waits for the end
// (fn) still logs at the end, without logasap, as HAProxy 2.6 does (a
// tcp one logs once connected: TestTCPRuleActionsDifferential); its
// line for a client that left before the body is the same. Compared
// with HAProxy 2.6 by order of events: the line must arrive while the
// server still holds the body.
func TestLogASAPMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := asapEvents(t, hp)
	got := asapEvents(t, gohaproxy)
	if !strings.Contains(want[0], "before the body: H /a 200 +") {
		t.Errorf("haproxy did not log /a early: %s", want[0])
	}
	if !strings.Contains(want[3], "/n before the body: (none)") {
		t.Errorf("haproxy logged /n early: %s", want[3])
	}
	for i := range want {
		t.Logf("haproxy: %s", want[i])
		if want[i] != got[i] {
			t.Errorf("\n haproxy   %s\n gohaproxy %s", want[i], got[i])
		}
	}
}
