package logfmt

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

var (
	syslogRe  = regexp.MustCompile(`^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) haproxy\[(\d+)\]: (.*)\n$`)
	httplogRe = regexp.MustCompile(`^([\d.]+):(\d+) \[([^\]]+)\] (\S+) (\S+)/(\S+) (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+) (-?\d+) (\d+) - - (\S\S)-- (\d+)/(\d+)/(\d+)/(\d+)/(\d+) (\d+)/(\d+) "(.*)"$`)
	tcplogRe  = regexp.MustCompile(`^([\d.]+):(\d+) \[([^\]]+)\] (\S+) (\S+)/(\S+) (-?\d+)/(-?\d+)/(-?\d+) (\d+) (\S\S) (\d+)/(\d+)/(\d+)/(\d+)/(\d+) (\d+)/(\d+)$`)
)

func atoi(s string) int { v, _ := strconv.Atoi(s); return v }

func msDur(s string) time.Duration {
	v := atoi(s)
	if v < 0 {
		return -1
	}
	return time.Duration(v) * time.Millisecond
}

// entryFromHTTPLog rebuilds the Entry an httplog line describes.
func entryFromHTTPLog(t *testing.T, m []string) Entry {
	acc, err := time.ParseInLocation(dateLayoutMs, m[3], time.Local)
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{
		Client: netip.AddrPortFrom(netip.MustParseAddr(m[1]), uint16(atoi(m[2]))), Accept: acc, Start: acc,
		Frontend: m[4], TR: msDur(m[7]), Tw: msDur(m[8]), Tc: msDur(m[9]), Tr: msDur(m[10]), Ta: msDur(m[11]),
		Status: atoi(m[12]), Bytes: int64(atoi(m[13])), Term: [2]byte{m[14][0], m[14][1]},
		ActConn: int64(atoi(m[15])), FeConn: int64(atoi(m[16])), BeConn: int64(atoi(m[17])),
		SrvConn: int64(atoi(m[18])), Retries: atoi(m[19]), SrvQueue: int64(atoi(m[20])), BeQueue: int64(atoi(m[21])),
	}
	if m[5] != m[4] {
		e.Backend = m[5]
	}
	if m[6] != "<NOSRV>" {
		e.Server = m[6]
	}
	if m[22] != "<BADREQ>" {
		p := strings.Split(m[22], " ")
		e.Method, e.Target, e.Minor = []byte(p[0]), []byte(p[1]), atoi(strings.TrimPrefix(p[2], "HTTP/1."))
	}
	return e
}

func entryFromTCPLog(t *testing.T, m []string) Entry {
	acc, err := time.ParseInLocation(dateLayoutMs, m[3], time.Local)
	if err != nil {
		t.Fatal(err)
	}
	return Entry{
		Client: netip.AddrPortFrom(netip.MustParseAddr(m[1]), uint16(atoi(m[2]))), Accept: acc, Start: acc, TCP: true,
		Frontend: m[4], Backend: m[5], Server: m[6], Tw: msDur(m[7]), Tc: msDur(m[8]), Ta: msDur(m[9]),
		Bytes: int64(atoi(m[10])), Term: [2]byte{m[11][0], m[11][1]},
		ActConn: int64(atoi(m[12])), FeConn: int64(atoi(m[13])), BeConn: int64(atoi(m[14])),
		SrvConn: int64(atoi(m[15])), Retries: atoi(m[16]), SrvQueue: int64(atoi(m[17])), BeQueue: int64(atoi(m[18])),
	}
}

// TestAgainstRealHAProxy drives the installed haproxy on 127.0.0.1 with a
// UDP syslog target owned by the test, then checks that the header and
// the line it sent are what this package prints for the same facts: a
// served GET, a request it could not parse, a request to a dead server
// (retries, SC, -1 timers) and a tcplog session.
func TestAgainstRealHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	udp := udpListener(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "server1\n") }))
	defer backend.Close()
	httpPort, tcpPort, deadPort := loopback.FreePort(t), loopback.FreePort(t), loopback.FreePort(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "haproxy.cfg")
	conf := fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    option httplog
    option dontlognull
    retries 1
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend main
    bind 127.0.0.1:%d
    use_backend dead if { path_beg /dead }
    default_backend servers
frontend tcpfe
    mode tcp
    option tcplog
    bind 127.0.0.1:%d
    default_backend tcpbe
backend servers
    server web1 %s
backend dead
    server web9 127.0.0.1:%d
backend tcpbe
    mode tcp
    server t1 %s
`, udp.LocalAddr(), httpPort, tcpPort, backend.Listener.Addr(), deadPort, backend.Listener.Addr())
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	dial := func(port int) net.Conn {
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				return c
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("haproxy not listening on %d", port)
		return nil
	}
	exchange := func(port int, req string) {
		c := dial(port)
		defer c.Close()
		io.WriteString(c, req)
		io.ReadAll(c)
	}
	exchange(httpPort, "GET /a?b=c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	c := dial(httpPort) // a connection that sends nothing: dontlognull
	c.Close()
	exchange(httpPort, "BAD\r\n\r\n")
	exchange(httpPort, "GET /dead HTTP/1.0\r\n\r\n")
	func() {
		c := dial(tcpPort)
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		io.ReadAll(c)
	}()

	// Datagrams may arrive in any order; each expected one must come once.
	want := map[string]bool{`"GET /a?b=c HTTP/1.1"`: true, `"<BADREQ>"`: true, `"GET /dead HTTP/1.0"`: true, ` tcpfe tcpbe/t1 `: true}
	for n := len(want); n > 0; n-- {
		dgram := recv(t, udp)
		m := syslogRe.FindStringSubmatch(dgram)
		if m == nil {
			t.Fatalf("not an RFC3164 datagram: %q", dgram)
		}
		ts, err := time.ParseInLocation("Jan _2 15:04:05", m[2], time.Local)
		if err != nil {
			t.Fatal(err)
		}
		ts = ts.AddDate(time.Now().Year(), 0, 0)
		hdr := AppendHeader(nil, RFC3164, 18, Info, ts, &Header{Tag: "haproxy", PID: atoi(m[3])})
		if got := string(hdr) + m[4] + "\n"; got != dgram {
			t.Errorf("header:\n ours %q\nhaproxy %q", got, dgram)
		}
		msg := m[4]
		found := false
		for w := range want {
			if strings.Contains(msg, w) {
				delete(want, w)
				found = true
			}
		}
		if !found {
			t.Fatalf("unexpected datagram %q (a null connection logged?)", msg)
		}
		var got string
		if hm := httplogRe.FindStringSubmatch(msg); hm != nil {
			e := entryFromHTTPLog(t, hm)
			got = string(HTTPLog.Append(nil, &e, &Env{Location: time.Local}))
		} else if tm := tcplogRe.FindStringSubmatch(msg); tm != nil {
			e := entryFromTCPLog(t, tm)
			got = string(TCPLog.Append(nil, &e, &Env{Location: time.Local}))
		} else {
			t.Fatalf("line not in httplog/tcplog layout: %q", msg)
		}
		if got != msg {
			t.Errorf("line:\n ours %q\nhaproxy %q", got, msg)
		}
	}
	udp.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := udp.ReadFrom(make([]byte, 4096)); err == nil {
		t.Errorf("unexpected extra datagram (%d bytes)", n)
	}
}
