package haproxycmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/proxyproto"
)

// recorder is a backend that records the bytes of each connection up to
// the end of the first request head (PROXY header included), answers 200
// and closes.
type recorder struct {
	addr string
	got  chan []byte
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{got: make(chan []byte, 16)}
	r.addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		var b []byte
		buf := make([]byte, 4096)
		// A v2 header starts with CRLFCRLF: look for the head's end past it.
		for len(b) < 5 || !bytes.Contains(b[4:], []byte("\r\n\r\n")) {
			n, err := c.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				break
			}
		}
		r.got <- b
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	})
	return r
}

func (r *recorder) next(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-r.got:
		return b
	case <-time.After(3 * time.Second):
		t.Fatal("the backend got no connection")
		return nil
	}
}

// ppRun is one daemon (haproxy or gohaproxy) on the shared configuration.
type ppRun struct {
	fe, tcpfe       string
	plain, spc, tcp *recorder
	logs            *net.UDPConn
}

func startPPRun(t *testing.T, bin string) *ppRun {
	return startPPRunWith(t, bin, " accept-proxy", "")
}

// startPPRunWith is startPPRun with bindOpt after each bind address and
// rules (lines) in both frontends, after the bind.
func startPPRunWith(t *testing.T, bin, bindOpt, rules string) *ppRun {
	r := &ppRun{fe: loopback.FreeAddr(t), tcpfe: loopback.FreeAddr(t), plain: startRecorder(t), spc: startRecorder(t), tcp: startRecorder(t),
		logs: loopback.ListenUDP(t)}
	cfg := fmt.Sprintf(`global
    log %s local0
defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 1s
    timeout client 1s
    timeout server 2s
frontend fe
    bind %s%s
%s    http-request set-header x-pp "%%[fc_rcvd_proxy]|%%[fc_pp_authority]|%%[fc_pp_unique_id]|%%[var(sess.a)]|%%[var(sess.b)]"
    use_backend special if { src 203.0.113.0/24 }
    default_backend plain
backend plain
    server p1 %s send-proxy
backend special
    server s1 %s send-proxy-v2
listen tcpfe
    mode tcp
    option tcplog
    bind %s%s
%s    server t1 %s send-proxy-v2
`, r.logs.LocalAddr(), r.fe, bindOpt, rules, r.plain.addr, r.spc.addr, r.tcpfe, bindOpt, rules, r.tcp.addr)
	startWithConfig(t, bin, cfg, r.fe, r.tcpfe)
	return r
}

// ppResult is what one client connection observed, with the ports that
// differ between the two daemons replaced by names.
type ppResult struct {
	resp     string // what the client read
	closeErr string // how its read ended: "EOF", "reset" or "timeout"
	backend  string // bytes the backend got
	client   string // the traffic log line's client ip:port
	errLog   string // the error log line of a refused connection
}

var logDate = regexp.MustCompile(`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]`)

func (r *ppRun) exchange(t *testing.T, send []byte, to string) ppResult {
	t.Helper()
	drainSyslog(r.logs)
	fe, rec := r.fe, r.plain
	switch to {
	case "special":
		rec = r.spc
	case "tcp":
		fe, rec = r.tcpfe, r.tcp
	}
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.TCPAddr).AddrPort()
	c.Write(send)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := io.ReadAll(c)
	res := ppResult{resp: string(resp), closeErr: "EOF"}
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		res.closeErr = "reset"
	case err != nil:
		res.closeErr = "timeout"
	}
	norm := func(s string) string {
		_, fport, _ := net.SplitHostPort(fe)
		s = strings.ReplaceAll(s, " "+strconv.Itoa(int(local.Port()))+" ", " CPORT ")
		s = strings.ReplaceAll(s, ":"+strconv.Itoa(int(local.Port())), ":CPORT")
		return strings.ReplaceAll(s, fport, "FPORT")
	}
	if !strings.HasPrefix(res.resp, "HTTP/1.1 200") {
		readSyslog(r.logs, func(d string) bool {
			if i := strings.Index(d, "]: "); i >= 0 {
				res.errLog = norm(logDate.ReplaceAllString(d[i+3:], "[DATE]"))
				return false
			}
			return true
		})
		return res
	}
	b := rec.next(t)
	h, n, err := proxyproto.Decode(b)
	if err != nil {
		t.Fatalf("backend got no PROXY header: %q", b)
	}
	// The v2 header's ports are binary: print them as the v1 line would.
	res.backend = norm(fmt.Sprintf("v%d %v %v local=%v | ", h.Version, h.Src, h.Dst, h.Local)) + norm(string(b[n:]))
	if h.Version == 1 {
		res.backend = norm(string(b[:n])) + res.backend
	} else if !strings.Contains(res.backend, "PORT") {
		res.backend = fmt.Sprintf("%x ", b[:n]) + res.backend // byte for byte
	}
	readSyslog(r.logs, func(d string) bool {
		// A traffic line, not an error line ("fe/1: Received ...").
		if i := strings.Index(d, "]: "); i >= 0 {
			if f := strings.Fields(d[i+3:]); len(f) > 2 && !strings.HasSuffix(f[2], ":") {
				res.client = norm(f[0])
				return false
			}
		}
		return true
	})
	return res
}

func drainSyslog(c *net.UDPConn) {
	buf := make([]byte, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

func v2Header(cmd, fam byte, body []byte) []byte {
	b := append(append([]byte{}, proxyproto.Sig2...), 0x20|cmd, fam, byte(len(body)>>8), byte(len(body)))
	return append(b, body...)
}

// ppTLVs encodes type, value pairs (byte, string, ...) as v2 TLVs.
func ppTLVs(kv ...any) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1].(string)
		b = append(append(b, byte(kv[i].(int)), byte(len(v)>>8), byte(len(v))), v...)
	}
	return b
}

// TestProxyProtocolBesideHAProxy runs HAProxy 2.6 and gohaproxy on one
// configuration (bind accept-proxy, option forwardfor, a src ACL, servers
// with send-proxy and send-proxy-v2) and sends each the same connections:
// the response, how the connection ends, the PROXY header and
// X-Forwarded-For the server gets and the log line's client must match.
func TestProxyProtocolBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	comparePP(t, startPPRun(t, haproxyBin), startPPRun(t, gohaproxy), ppCases())
}

// ppCase is a connection's bytes and the backend that must get them:
// plain, special (src ACL), tcp (tcp-mode frontend).
type ppCase struct {
	name string
	send []byte
	to   string
}

// ppCases are the connections TestProxyProtocolBesideHAProxy sends: good,
// odd and broken PROXY headers, and none.
func ppCases() []ppCase {
	get := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	return []ppCase{
		{"v1 tcp4", []byte("PROXY TCP4 198.51.100.1 192.0.2.10 40001 8080\r\n" + get), "plain"},
		{"v1 tcp6", []byte("PROXY TCP6 2001:db8::1 2001:db8::2 40002 443\r\n" + get), "plain"},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\n" + get), "plain"},
		{"v2 tcp4 to the src ACL", append(v2Header(1, 0x11, []byte{203, 0, 113, 5, 192, 0, 2, 10, 0x9c, 0x42, 0x01, 0xbb}), get...), "special"},
		{"v2 tcp4 with a TLV", append(v2Header(1, 0x11, []byte{198, 51, 100, 9, 192, 0, 2, 10, 0x9c, 0x43, 0x00, 0x50, 0xe0, 0, 1, 'x'}), get...), "plain"},
		{"v2 authority and unique id", append(v2Header(1, 0x11, append([]byte{198, 51, 100, 9, 192, 0, 2, 10, 0x9c, 0x44, 0x00, 0x50},
			ppTLVs(0x02, "ex.org", 0x05, strings.Repeat("u", 128))...)), get...), "plain"},
		{"v2 empty authority", append(v2Header(1, 0x11, append([]byte{198, 51, 100, 9, 192, 0, 2, 10, 0x9c, 0x45, 0x00, 0x50},
			ppTLVs(0x02, "")...)), get...), "plain"},
		{"v2 unique id too long", append(v2Header(1, 0x11, append([]byte{198, 51, 100, 9, 192, 0, 2, 10, 0x9c, 0x46, 0x00, 0x50},
			ppTLVs(0x05, strings.Repeat("u", 129))...)), get...), "plain"},
		{"v2 crc32c of 5 bytes", append(v2Header(1, 0x11, append([]byte{198, 51, 100, 9, 192, 0, 2, 10, 0x9c, 0x47, 0x00, 0x50},
			ppTLVs(0x03, "\x00\x00\x00\x00\x00")...)), get...), "plain"},
		{"v2 local", append(v2Header(0, 0x00, nil), get...), "plain"},
		{"v2 unspec", append(v2Header(1, 0x00, nil), get...), "plain"},
		{"no header", []byte(get), "plain"},
		{"v1 short address", []byte("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n" + get), "plain"},
		{"v1 octet carries, port wraps", []byte("PROXY TCP4 1.2.3.300 5.6.7.8 70000 2\r\n" + get), "plain"},
		{"bad v1", []byte("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n" + get), "plain"},
		{"v1 unknown with addresses", []byte("PROXY UNKNOWN ::1 ::2 1 2\r\n" + get), "plain"},
		{"v2 proxy udp4", append(v2Header(1, 0x12, []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2}), get...), "plain"},
		{"v1 unknown protocol", []byte("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n" + get), "plain"},
		{"truncated v1", []byte("PROXY TCP4 1.2.3.4 "), "plain"},
		{"v2 bad command", append(v2Header(2, 0x11, []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2}), get...), "plain"},
		{"nothing sent", nil, "plain"},
		{"tcp mode v1", []byte("PROXY TCP4 198.51.100.20 192.0.2.10 40010 25\r\n" + get), "tcp"},
		{"tcp mode v2 local", append(v2Header(0, 0x00, nil), get...), "tcp"},
		{"tcp mode no header", []byte(get), "tcp"},
	}
}

// comparePP sends each case to HAProxy (ref) and gohaproxy and compares
// what the client, the backend and the logs saw, and when the connection
// ended.
func comparePP(t *testing.T, ref, goha *ppRun, cases []ppCase) {
	t.Helper()
	for _, tc := range cases {
		t0 := time.Now()
		want := ref.exchange(t, tc.send, tc.to)
		t1 := time.Now()
		got := goha.exchange(t, tc.send, tc.to)
		t2 := time.Now()
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, want)
		} else if testing.Verbose() {
			t.Logf("%s: %+v", tc.name, got)
		}
		// A connection refused is closed as soon as its bytes are seen
		// (nothing sent: at timeout client, 1s).
		if d, dr := t2.Sub(t1), t1.Sub(t0); (d > 500*time.Millisecond) != (dr > 500*time.Millisecond) {
			t.Errorf("%s: closed after %v, HAProxy after %v", tc.name, d, dr)
		}
	}
}

// checkCapture records the first bytes of each connection a health check
// makes, with the port it came from.
type checkCapture struct {
	addr string
	got  chan string
}

func startCheckCapture(t *testing.T) *checkCapture {
	t.Helper()
	ln := loopback.Listen(t)
	c := &checkCapture{addr: ln.Addr().String(), got: make(chan string, 64)}
	loopback.ServeEach(t, ln, func(conn net.Conn) {
		conn.SetDeadline(time.Now().Add(time.Second))
		b, _ := io.ReadAll(conn)
		rport := strconv.Itoa(conn.RemoteAddr().(*net.TCPAddr).Port)
		_, lport, _ := net.SplitHostPort(c.addr)
		s := strings.ReplaceAll(string(b), " "+rport+" ", " CHECKPORT ")
		s = strings.ReplaceAll(s, " "+lport+"\r\n", " SERVERPORT\r\n")
		if h, n, err := proxyproto.Decode(b); err == nil && h.Version == 2 {
			// Binary ports: check them, then show the rest as hex.
			ok := !h.Local && h.Src.Port() == conn.RemoteAddr().(*net.TCPAddr).AddrPort().Port() &&
				h.Dst == conn.LocalAddr().(*net.TCPAddr).AddrPort()
			shown := b[:n]
			if !h.Local {
				shown = b[:n-4] // less the ports
			}
			s = fmt.Sprintf("v2 local=%v addrs-are-the-check-connection=%v %x", h.Local, ok, shown)
		}
		select {
		case c.got <- s:
		default:
		}
	})
	return c
}

func (c *checkCapture) first(t *testing.T) string {
	t.Helper()
	select {
	case s := <-c.got:
		return s
	case <-time.After(3 * time.Second):
		t.Fatalf("no health check came to %s", c.addr)
		return ""
	}
}

// TestSendProxyChecksBesideHAProxy: HAProxy 2.6's health checks of a
// send-proxy server on its traffic address start with the header too (v1
// naming the check connection, v2 LOCAL unless pp2-never-send-local).
// gohaproxy's must send the same bytes.
func TestSendProxyChecksBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	for _, global := range []string{"", "    pp2-never-send-local\n"} {
		results := map[string][]string{}
		for _, bin := range []string{haproxyBin, gohaproxy} {
			v1, v2 := startCheckCapture(t), startCheckCapture(t)
			fe := loopback.FreeAddr(t)
			cfg := fmt.Sprintf(`global
%sdefaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    timeout check 1s
frontend fe
    bind %s
    default_backend be
backend be
    server v1 %s send-proxy check inter 300ms
    server v2 %s send-proxy-v2 check inter 300ms
`, global, fe, v1.addr, v2.addr)
			startWithConfig(t, bin, cfg, fe) // runs until the test ends: each run has its own captures
			results[bin] = []string{v1.first(t), v2.first(t)}
		}
		want, got := results[haproxyBin], results[gohaproxy]
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("global %q, server %d: check sent\n %q\nwant %q", global, i, got[i], want[i])
			} else if testing.Verbose() {
				t.Logf("global %q, server %d: %q", global, i, got[i])
			}
		}
	}
}

// TestExpectProxyBesideHAProxy: `tcp-request connection expect-proxy
// layer4` on binds without accept-proxy, beside HAProxy 2.6. When its
// condition holds, every case of TestProxyProtocolBesideHAProxy must end
// the same in both (the carried addresses at the server, in
// X-Forwarded-For, in the src ACL and the log line; the refusals and
// their error log lines), and the connection rule after it still sees the
// socket's address (var sess.a in x-pp); when it does not hold, a PROXY line is a bad
// HTTP request (400) or tcp payload, and a plain request is served.
func TestExpectProxyBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	for _, cond := range []string{"if { src 127.0.0.1 }", "unless { src 127.0.0.1 }"} {
		t.Run(cond, func(t *testing.T) {
			t.Parallel() // each its own daemons, recorders and log socket
			rules := "    tcp-request connection expect-proxy layer4 " + cond + "\n" +
				"    tcp-request connection set-var(sess.a) src\n" +
				"    tcp-request content set-var(sess.b) var(sess.a)\n"
			var cases []ppCase
			for _, c := range ppCases() {
				// A request line cut after its version: HAProxy answers
				// 400 at once, goha's HTTP/1 parser waits for the rest
				// (timeout http-request): not a PROXY matter.
				// Nothing sent: goha logs Tt -1 on the 408, HAProxy the
				// time waited (seen without any PROXY rule too).
				if !(strings.HasPrefix(cond, "unless") && (c.name == "truncated v1" || c.name == "nothing sent")) {
					cases = append(cases, c)
				}
			}
			ref, goha := startPPRunWith(t, haproxyBin, "", rules), startPPRunWith(t, gohaproxy, "", rules)
			if strings.HasPrefix(cond, "unless") {
				// The readiness probe reached the tcp frontend's server.
				ref.tcp.next(t)
				goha.tcp.next(t)
			}
			comparePP(t, ref, goha, cases)
		})
	}
}
