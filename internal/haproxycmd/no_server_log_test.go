package haproxycmd

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// noServerLines runs bin with a backend without servers and one whose
// only server is disabled, sends one request to each
// and returns the http log lines (syslog header removed), sorted.
func noServerLines(t *testing.T, bin string) []string {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	httpBind, tcpBind := loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 1s
    timeout client 2s
    timeout server 5s
frontend fq
    bind %s
    use_backend empty if { path /empty }
    default_backend down
frontend ft
    mode tcp
    option tcplog
    bind %s
    default_backend tempty
backend empty
backend down
    server s1 %s disabled
backend tempty
    mode tcp
`, syslog.LocalAddr(), httpBind, tcpBind, loopback.DeadAddr(t)), httpBind, tcpBind)
	for _, p := range []string{"/empty", "/down"} {
		c, err := net.Dial("tcp", httpBind)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", p)
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				break
			}
		}
		c.Close()
	}
	var lines []string
	readSyslog(syslog, func(l string) bool {
		lines = append(lines, syslogBody.ReplaceAllString(strings.TrimSuffix(l, "\n"), ""))
		return len(lines) < 2
	})
	for i := range lines {
		lines[i] = maskLogLine(lines[i])
		lines[i] = strings.Join(strings.Fields(lines[i])[2:], " ") // after the date
	}
	sort.Strings(lines)
	return lines
}

// TestNoServerLogMatchesHAProxy: a request to a backend with no usable
// server (none declared, or all disabled) is answered 503 and logged SC--
// with Tw -1, as HAProxy 2.6 logs it (goha used to log sQ--). The tcp
// frontend is there for the probe only: its SC line came from goha already,
// and whether a client's first bytes make it "not null" races there.
func TestNoServerLogMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := noServerLines(t, hp)
	got := noServerLines(t, gohaproxy)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("\nhaproxy:\n%s\ngohaproxy:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if len(got) != 2 || !strings.Contains(got[0], " SC-- ") {
		t.Errorf("lines %q", got)
	}
}
