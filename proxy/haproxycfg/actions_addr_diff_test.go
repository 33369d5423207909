package haproxycfg

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// logWithClient splits an httplog line into its client address (kept:
// the rules set it) and the rest, normalised as normLog does.
var logWithClient = regexp.MustCompile(`^(<\d+> )(\S+) (\[[^\]]+\] )`)

func normAddrLog(line string) string {
	m := logWithClient.FindStringSubmatch(line)
	if m == nil {
		return line
	}
	return m[2] + " | " + normLog(m[1]+"127.0.0.1:1 "+m[3]+line[len(m[0]):])
}

// TestSetSrcDstDifferential: set-src, set-dst, set-src-port and
// set-dst-port in tcp-request connection, session and content rules and
// in http-request rules, beside HAProxy 2.6: what a connection rule and
// a session rule set stays for every request of the connection, what a
// content or http-request rule sets is the request's only; the client
// address and port in the log line, X-Forwarded-For (with its except
// network) at the server, and src/dst fetches in http-response rules
// all see the new addresses. Casts: a string, an IPv6 address, an
// IPv4-mapped one, an integer; a value that is no address changes
// nothing.
func TestSetSrcDstDifferential(t *testing.T) {
	w := webs3(t)
	cfg := httplogFrontend + `    option forwardfor except 10.1.0.0/16
    tcp-request connection set-dst-port int(8443)
    tcp-request session set-src-port int(2222)
    tcp-request content set-src-port int(4444) if { path /tcp }
    http-request set-var(txn.p) path
    http-request set-src hdr(x-src) if { req.hdr(x-src) -m found }
    http-request set-dst hdr(x-dst) if { req.hdr(x-dst) -m found }
    http-request set-dst-port hdr(x-dport) if { req.hdr(x-dport) -m found }
    http-request set-src-port hdr(x-sport) if { req.hdr(x-sport) -m found }
    http-request set-src int(167772161) if { path /int }
    http-request set-header x-seen-src %[src]:%[src_port]
    http-response set-header x-addrs "%[src] %[src_port] %[dst] %[dst_port] %[var(txn.p)]"
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nx-src: 10.1.2.3\r\nx-sport: 99\r\n\r\n",
		"GET /b HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: h\r\nx-dst: 10.9.9.9\r\nx-dport: 81\r\nx-src: ::1\r\n\r\n",
		"GET /mapped HTTP/1.1\r\nHost: h\r\nx-src: ::ffff:10.2.0.1\r\n\r\n",
		"GET /bad HTTP/1.1\r\nHost: h\r\nx-src: garbage\r\nx-dport: 70000\r\n\r\n",
		"GET /tcp HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /int HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	raw := strings.Join(reqs, "")
	exchange := func(addr string) []difftest.Response { return exchangeAll(t, addr, raw) }
	want, got := exchange(ha), exchange(goha)
	if len(want) != len(reqs) || want[0].Headers["x-addrs"] != "10.1.2.3 99 127.0.0.1 8443 /a" || want[0].Headers["x-seen-xff"] != "" {
		t.Fatalf("haproxy answered %+v", want)
	}
	if d := difftest.Diff(want, got, "content-length", "x-seen-connection"); d != "" {
		t.Error(d)
	}
	for _, r := range reqs {
		if w, g := normAddrLog(nextRaw(t, haLog, "haproxy")), normAddrLog(nextRaw(t, goLog, "goha")); w != g {
			t.Errorf("%q: log\nhaproxy: %s\ngoha:    %s", r, w, g)
		}
	}
}

func nextRaw(t *testing.T, ch chan string, who string) string {
	t.Helper()
	select {
	case l := <-ch:
		return l
	case <-time.After(2 * time.Second):
		t.Errorf("%s logged nothing", who)
		return ""
	}
}
