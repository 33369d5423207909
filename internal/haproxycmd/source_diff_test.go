package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// peerRecorder accepts connections on 127.0.0.1 and keeps the address
// each came from, and answers an HTTP request with that address as the
// body (and closes). (HAProxy's plain TCP check resets
// its connection as soon as it is up, often before Go's Accept returns
// it: the checks are HTTP ones.)
type peerRecorder struct {
	addr  string
	mu    sync.Mutex
	peers []netip.AddrPort
}

func recordPeers(t *testing.T) *peerRecorder { return recordPeersOn(t, loopback.Listen(t)) }

// recordPeersOn is recordPeers on ln.
func recordPeersOn(t *testing.T, ln net.Listener) *peerRecorder {
	r := &peerRecorder{}
	r.addr = loopback.ServeEach(t, ln, func(c net.Conn) {
		peer := c.RemoteAddr().(*net.TCPAddr).AddrPort()
		r.mu.Lock()
		r.peers = append(r.peers, peer)
		r.mu.Unlock()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		body := peer.String()
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s", len(body), body)
	})
	return r
}

func (r *peerRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.peers)
}

// ips are the distinct addresses connections came from, sorted.
func (r *peerRecorder) ips() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, p := range r.peers {
		if s := p.Addr().String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// sourceRun runs bin with backends using `source` in its forms and
// returns, per request, the status and the address the server saw (ports
// the system picks shown as "*", those of the configuration by name), and
// the addresses the health and agent checks came from.
func sourceRun(t *testing.T, bin string) (answers, checks, lines []string) {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	web, chk, agent := recordPeers(t), recordPeers(t), &peerRecorder{}
	_, chkPort, _ := net.SplitHostPort(chk.addr)
	agentLn := loopback.Listen(t) // answers "up" to the agent checks
	agentAddr := loopback.ServeEach(t, agentLn, func(c net.Conn) {
		agent.mu.Lock()
		agent.peers = append(agent.peers, c.RemoteAddr().(*net.TCPAddr).AddrPort())
		agent.mu.Unlock()
		io.WriteString(c, "up\n")
	})
	_, agentPort, _ := net.SplitHostPort(agentAddr)
	fe := loopback.FreeAddr(t)
	lo, fixed := loopback.FreePort(t), loopback.FreePort(t)
	names := map[string]string{strconv.Itoa(lo): "L", strconv.Itoa(lo + 1): "L+1", strconv.Itoa(lo + 2): "L+2", strconv.Itoa(fixed): "F"}
	sock := filepath.Join(t.TempDir(), "s.sock")
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %[8]s local2
    stats socket %[9]s level admin
defaults
    mode http
    log global
    option dontlognull
    log-format "%%HP %%b/%%s %%ST %%tsc"
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind %[1]s
    use_backend b_%%[path,regsub(^/,)]
backend b_own
    source 127.0.0.2
    server s %[2]s
backend b_over
    source 127.0.0.2 usesrc 127.0.0.3
    server s %[2]s source 127.0.0.5
backend b_addr
    source 127.0.0.2 usesrc 127.0.0.3
    server s %[2]s
backend b_addrport
    source 127.0.0.2 usesrc 127.0.0.3:%[4]d
    server s %[2]s
backend b_clientip
    source 127.0.0.2 usesrc clientip
    server s %[2]s
backend b_client
    source 127.0.0.2 usesrc client
    server s %[2]s
backend b_range
    server s %[2]s source 127.0.0.6:%[3]d-%[5]d
backend b_iface
    server s %[2]s source 127.0.0.7 interface lo
backend b_defsrv
    default-server source 127.0.0.8
    server s %[2]s
backend b_hdr
    source 127.0.0.2 usesrc hdr_ip(x-src)
    server s %[2]s
backend b_hdrfirst
    source 127.0.0.2 usesrc hdr_ip(x-src,1)
    server s %[2]s
backend b_hdroff
    source 127.0.0.2 usesrc hdr_ip(x-src,0)
    server s %[2]s
backend b_srvusesrc
    server s %[2]s source 127.0.0.2 usesrc 127.0.0.12
backend b_dyn
    source 127.0.0.11
backend b_checks
    option httpchk
    source 127.0.0.2 usesrc 127.0.0.3
    server s %[2]s check port %[6]s inter 100 agent-check agent-port %[7]s agent-inter 100
`, fe, web.addr, lo, fixed, lo+2, chkPort, agentPort, syslog.LocalAddr(), sock), fe)
	// a server added at run time connects from its backend's source
	haproxytest.StatsCmd(t, sock, "add server b_dyn/d "+web.addr)
	haproxytest.StatsCmd(t, sock, "enable server b_dyn/d")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 4)}, Timeout: 3 * time.Second}
	for _, r := range []struct{ path, hdr string }{{"own", ""}, {"over", ""}, {"addr", ""}, {"addrport", ""}, {"clientip", ""},
		{"client", ""}, {"range", ""}, {"range", ""}, {"range", ""}, {"iface", ""}, {"defsrv", ""},
		{"hdr", "127.0.0.9"}, {"hdr", "127.0.0.9, 127.0.0.10"}, {"hdr", "127.1"}, {"hdr", "nonsense"}, {"hdr", ""},
		{"hdrfirst", "127.0.0.9, 127.0.0.10"}, {"hdroff", "127.0.0.9"}, {"srvusesrc", ""}, {"dyn", ""}} {
		path := r.path
		c, err := d.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		hdr := ""
		if r.hdr != "" {
			hdr = "X-Src: " + r.hdr + "\r\n"
		}
		fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: h\r\n%sConnection: close\r\n\r\n", path, hdr)
		b, _ := io.ReadAll(c)
		c.Close()
		head, body, _ := strings.Cut(string(b), "\r\n\r\n")
		status := strings.SplitN(head, "\r\n", 2)[0]
		if ap, err := netip.ParseAddrPort(body); err == nil {
			port := "*"
			if n, ok := names[strconv.Itoa(int(ap.Port()))]; ok {
				port = n
			}
			body = ap.Addr().String() + ":" + port
		} else {
			body = "-" // an error page
		}
		answers = append(answers, path+" ["+r.hdr+"] "+status+" "+body)
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if chk.count() >= 2 && agent.count() >= 2 { // a few checks and agent checks
			break
		}
	}
	checks = append(checks, "check from "+strings.Join(chk.ips(), ","), "agent from "+strings.Join(agent.ips(), ","))
	readSyslog(syslog, func(l string) bool {
		if l = syslogBody.ReplaceAllString(strings.TrimSpace(l), ""); strings.HasPrefix(l, "/") {
			lines = append(lines, l)
		}
		return len(lines) < len(answers)
	})
	return answers, checks, lines
}

// TestSourceMatchesHAProxy: `source` on backends, servers and
// default-server, with a port range, usesrc <addr>[:<port>], clientip,
// client and hdr_ip (occurrences, odd values, no header, occurrence 0),
// usesrc on a server line, interface, and a server added at run time (the backend's source): the address (and port) the server sees for
// each request, and where the health and agent checks come from (the
// source address, never usesrc's). usesrc client fails on loopback (the
// client's own socket holds its address and port) in both: a 503.
// 127.0.0.0/8 is local on lo, so the "foreign" addresses bind with
// IP_TRANSPARENT without routing. Compared with HAProxy 2.6.
func TestSourceMatchesHAProxy(t *testing.T) {
	testenv.Root(t) // IP_TRANSPARENT needs CAP_NET_ADMIN
	hp := testenv.LookPath(t, "haproxy")
	wa, wc, wl := sourceRun(t, hp)
	ga, gc, gl := sourceRun(t, gohaproxy)
	diffLines(t, "answers", wa, ga)
	diffLines(t, "checks", wc, gc)
	// Sorted: a line is written when its session ends, and a 500 IC
	// session may end after the next request's (seen on HAProxy's side
	// in a full run); the requests themselves go one after the other.
	if len(gl) != len(ga) || !slices.Contains(gl, "/hdr b_hdr/s 500 IC--") {
		t.Errorf("log lines %q", gl)
	}
	slices.Sort(wl)
	slices.Sort(gl)
	diffLines(t, "log lines", wl, gl)
	want := []string{"own [] HTTP/1.1 200 OK 127.0.0.2:*", "over [] HTTP/1.1 200 OK 127.0.0.5:*", "addr [] HTTP/1.1 200 OK 127.0.0.3:*",
		"addrport [] HTTP/1.1 200 OK 127.0.0.3:F", "clientip [] HTTP/1.1 200 OK 127.0.0.4:*"}
	for i, w := range want {
		if i >= len(ga) || ga[i] != w {
			t.Errorf("answers %q, want %q first", ga, want)
			break
		}
	}
	if len(ga) != 20 || ga[19] != "dyn [] HTTP/1.1 200 OK 127.0.0.11:*" || ga[18] != "srvusesrc [] HTTP/1.1 200 OK 127.0.0.12:*" || ga[6] != "range [] HTTP/1.1 200 OK 127.0.0.6:L" || ga[8] != "range [] HTTP/1.1 200 OK 127.0.0.6:L+2" ||
		ga[12] != "hdr [127.0.0.9, 127.0.0.10] HTTP/1.1 200 OK 127.0.0.10:*" {
		t.Errorf("answers %q", ga)
	}
}
