package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// contentVerdictRun runs bin with tcp-request content accept/reject in an
// HTTP frontend beside http-request deny/tarpit/reject, and a frontend
// whose tcp-request connection rule rejects; it returns what each request
// got, the traffic lines logged (syslog header and timers removed) and
// the frontends' dreq, dcon, req_tot and hrsp_* counters.
func contentVerdictRun(t *testing.T, bin string) (resps, lines []string, stats string) {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	bind, bind2 := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "s.sock")
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
    stats socket %s
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout tarpit 100ms
frontend fe
    bind %s
    tcp-request content accept if { path_beg /acc }
    tcp-request content reject if { path_beg /acc/x }
    tcp-request content reject if { path /rej } || { hdr(x-rej) -m found }
    http-request deny if { path /deny }
    http-request tarpit if { path /tarpit }
    http-request reject if { path /hrej }
    http-request return status 200 content-type text/plain string ok
frontend fe2
    bind %s
    tcp-request connection reject if { src 127.0.0.1 }
    http-request return status 200 content-type text/plain string ok
`, syslog.LocalAddr(), sock, bind, bind2), bind)
	for _, r := range []string{
		"GET /rej HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /acc/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", // accepted before the reject rule
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Rej: 1\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /tarpit HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /hrej HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /rej HTTP/1.1\r\nHost: h\r\n\r\n", // the second of two is rejected
		"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		resps = append(resps, sendRaw(t, bind, r))
	}
	// fe2 resets the connection at once: the dial itself may see it.
	got := ""
	if c, err := net.DialTimeout("tcp", bind2, 2*time.Second); err == nil {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		got = string(b)
	}
	resps = append(resps, got)
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	norm := regexp.MustCompile(`^\S+ \[[^]]+\] (.*?) -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ (.*) \d+/\d+/\d+/\d+/\d+ (\d+/\d+ .*)$`)
	readSyslog(syslog, func(l string) bool {
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		if !strings.Contains(l, " fe ") {
			return true // the listen probe, fe2's
		}
		if m := norm.FindStringSubmatch(l); m != nil {
			tr := strings.Split(strings.Fields(l)[4], "/")[0] // TR: -1 on the abort path
			l = m[1] + " TR=" + tr + " " + m[2] + " " + m[3]
		}
		lines = append(lines, l)
		// Ten lines: the readiness probe's, then one per request (the
		// pipelined pair gives two); they may arrive in any order.
		return len(lines) < 10
	})
	return resps, lines, frontendCols(haproxytest.StatsCmd(t, sock, "show stat"), "dreq", "dcon", "ereq", "req_tot", "hrsp_2xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other")
}

// TestContentVerdictsMatchHAProxy: in an HTTP frontend, `tcp-request
// content reject` closes the connection unanswered before the request
// counts (<BADREQ> in the log, no req_tot, dreq and hrsp_other counted),
// `accept` ends the content rules, on every request of a kept-alive
// connection; deny, tarpit and http-request reject count in dreq, a
// tcp-request connection reject in dcon: as HAProxy 2.6 does.
func TestContentVerdictsMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	hr, hl, hs := contentVerdictRun(t, hp)
	gr, gl, gs := contentVerdictRun(t, gohaproxy)
	for i := range hr {
		if i >= len(gr) || hr[i] != gr[i] {
			t.Errorf("request %d:\nhaproxy %q\ngoha    %q", i, hr[i], gr[i])
		}
	}
	// Lines of different connections may arrive in either order.
	sort.Strings(hl)
	sort.Strings(gl)
	if strings.Join(hl, "\n") != strings.Join(gl, "\n") {
		t.Errorf("log lines:\nhaproxy:\n%s\ngoha:\n%s", strings.Join(hl, "\n"), strings.Join(gl, "\n"))
	}
	if hs != gs {
		t.Errorf("show stat:\nhaproxy %s\ngoha    %s", hs, gs)
	}
}
