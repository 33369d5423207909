package haproxycmd

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// tcpSyslog is a TCP syslog server on 127.0.0.1 recording the bytes of
// each connection it accepts.
type tcpSyslog struct {
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	conns []*recorded
}

type recorded struct {
	mu   sync.Mutex
	c    net.Conn
	data []byte
}

func (r *recorded) bytes() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.data)
}

func newTCPSyslog(t *testing.T, addr string) *tcpSyslog {
	s := &tcpSyslog{addr: addr}
	s.listen(t)
	t.Cleanup(s.stop)
	return s
}

func (s *tcpSyslog) listen(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r := &recorded{c: c}
			s.mu.Lock()
			s.conns = append(s.conns, r)
			s.mu.Unlock()
			go func() {
				buf := make([]byte, 65536)
				for {
					n, err := c.Read(buf)
					r.mu.Lock()
					r.data = append(r.data, buf[:n]...)
					r.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
}

// stop closes the listener and every connection.
func (s *tcpSyslog) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for _, r := range s.conns {
		r.c.Close()
	}
}

// conn is the i-th connection accepted (waiting up to 5 s for it).
func (s *tcpSyslog) conn(t *testing.T, i int) *recorded {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n > i {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.conns[i]
		}
	}
	t.Fatalf("syslog %s: no connection #%d", s.addr, i+1)
	return nil
}

// waitFor waits up to 5 s until have says the bytes are complete.
func (r *recorded) waitFor(have func(string) bool) string {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if b := r.bytes(); have(b) {
			return b
		}
	}
	return r.bytes()
}

var (
	ringISOTime  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d`)
	ringDate3164 = regexp.MustCompile(`[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d`)
	ringPID      = regexp.MustCompile(`haproxy(\[| )\d+`)
)

func maskRing(s string) string {
	s = ringISOTime.ReplaceAllString(s, "TIME")
	s = ringDate3164.ReplaceAllString(s, "DATE")
	return ringPID.ReplaceAllString(s, "haproxy${1}PID")
}

// octetFrames splits RFC 6587 octet-counted frames, checking each count,
// and returns the masked messages one per line.
func octetFrames(t *testing.T, b string) string {
	t.Helper()
	var out []string
	for b != "" {
		sp := strings.IndexByte(b, ' ')
		n, err := strconv.Atoi(b[:max(sp, 0)])
		if sp < 0 || err != nil || sp+1+n > len(b) {
			t.Errorf("bad octet-count frame at %q", b)
			break
		}
		out = append(out, maskRing(b[sp+1:sp+1+n]))
		b = b[sp+1+n:]
	}
	return strings.Join(out, "\n")
}

type ringRun struct {
	showList, showR1, showR2, showR3, showR4 string // show events, masked
	pinnedList, pinnedR3                     string // while r3's server is gone
	r1                                       string // octet-count frames, masked
	r3a, r3b                                 string // legacy bytes of r3's two connections, masked
	opts                                     string // show events r2 -n, then -x
}

// ringScenario runs bin with four rings: r1 forwarded with octet
// counting, r2 in memory only (timed, cut by maxlen, oldest dropped),
// r3 forwarded legacy to a server that goes away (the unsent messages
// pin the ring, newer ones are dropped and announced once it is back),
// r4 written with a log line's len.
func ringScenario(t *testing.T, bin string) ringRun {
	dir := t.TempDir()
	sock := dir + "/s.sock"
	bind := loopback.FreeAddr(t)
	s1 := newTCPSyslog(t, loopback.FreeAddr(t))
	s3 := newTCPSyslog(t, loopback.FreeAddr(t))
	cfg := fmt.Sprintf(`global
    stats socket %s level admin
ring r1
    description "octet counted"
    format rfc5424
    maxlen 2000
    size 32768
    timeout connect 1s
    timeout server 5s
    server s1 %s log-proto octet-count
ring r2
    format timed
    maxlen 100
ring r3
    format iso
    size 16384
    timeout connect 1s
    timeout server 5s
    server s3 %s log-proto legacy
ring r4
    format rfc3164
defaults
    mode http
    option dontlognull
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    log ring@r1 local0
    log ring@r2 local1 info
    log ring@r3 local2
    log ring@r4 len 90 local3
    log-format "%%{+Q}r"
    http-request return status 200 content-type text/plain string hello
`, sock, s1.addr, s3.addr, bind)
	startWithConfig(t, bin, cfg, bind)
	get := func(path string) {
		sendRaw(t, bind, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	lines := func(n int) func(string) bool {
		return func(b string) bool { return strings.Count(b, "\n") >= n }
	}
	var r ringRun
	for i := 1; i <= 3; i++ {
		get(fmt.Sprintf("/first%d", i))
	}
	c3 := s3.conn(t, 0)
	r.r3a = maskRing(c3.waitFor(lines(3)))
	s3.stop() // r3's server goes away: its unsent messages pin the ring
	// Both daemons notice the close on their next event loop; a message
	// logged before that may still go out on the dead connection
	// (HAProxy does this too, once in a few runs): leave them the time.
	time.Sleep(500 * time.Millisecond)
	long := strings.Repeat("b", 100)
	for i := 1; i <= 200; i++ {
		get(fmt.Sprintf("/%d%s", i, long))
	}
	show := func(cmd string) string { return maskRing(haproxytest.StatsCmd(t, sock, cmd)) }
	r.pinnedList, r.pinnedR3 = show("show events"), show("show events r3")
	s3.listen(t) // back: the pending messages go, then the drop notice
	c3 = s3.conn(t, 1)
	r.r3b = maskRing(c3.waitFor(lines(strings.Count(r.pinnedR3, "\n") - 1)))
	get("/after")
	r.r3b = maskRing(c3.waitFor(lines(strings.Count(r.pinnedR3, "\n") + 1)))
	c1 := s1.conn(t, 0)
	r.r1 = octetFrames(t, c1.waitFor(func(b string) bool { return strings.Count(b, "GET /") >= 204 }))
	// r1 and r4 carry the pid, whose width differs between the daemons:
	// how many messages they keep is checked against HAProxy's accounting
	// on each daemon's own bytes (ringKeeps), and the messages compared
	// from the newest back.
	raw1, raw4 := haproxytest.StatsCmd(t, sock, "show events r1"), haproxytest.StatsCmd(t, sock, "show events r4")
	ringKeeps(t, bin+" r1", raw1, 32768)
	ringKeeps(t, bin+" r4", raw4, 16384)
	r.showList, r.showR1, r.showR2 = show("show events"), maskRing(raw1), show("show events r2")
	r.showR3, r.showR4 = show("show events r3"), maskRing(raw4)
	r.opts = show("show events r2 -n") + "|" + show("show events r2 -x")
	return r
}

// TestRingMatchesHAProxy: ring sections as HAProxy 2.6.12 runs them:
// the bytes a TCP syslog server receives (octet-count and legacy
// framing, resumed after a reconnection with the drop notice), and what
// `show events` lists and dumps (formats, maxlen, a log line's len, the
// oldest messages dropped when full), timestamps and pids masked.
func TestRingMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := ringScenario(t, hp)
	got := ringScenario(t, gohaproxy)
	if !strings.Contains(want.pinnedList, "r3         : type=buffer, 93 dropped, r3") ||
		!strings.Contains(want.r3b, "TIME 93 events dropped\nTIME \"GET /after HTTP/1.1\"\n") {
		t.Fatalf("haproxy: list %q, r3 after reconnection ends %q", want.pinnedList, want.r3b[max(0, len(want.r3b)-300):])
	}
	for _, c := range []struct{ what, want, got string }{
		{"show events (r3's server gone)", want.pinnedList, got.pinnedList},
		{"show events r3 (server gone)", want.pinnedR3, got.pinnedR3},
		{"r3 first connection", want.r3a, got.r3a},
		{"r3 second connection", want.r3b, got.r3b},
		{"r1 octet-count frames", want.r1, got.r1},
		{"show events", want.showList, got.showList},
		{"show events r1 (newest)", newest(want.showR1, got.showR1), newest(got.showR1, want.showR1)},
		{"show events r2", want.showR2, got.showR2},
		{"show events r3", want.showR3, got.showR3},
		{"show events r4 (newest)", newest(want.showR4, got.showR4), newest(got.showR4, want.showR4)},
		{"show events r2 -n, -x", want.opts, got.opts},
	} {
		if c.want != c.got {
			t.Errorf("%s:\nhaproxy %q\n   goha %q", c.what, head(c.want), head(c.got))
		} else {
			t.Logf("%s: %d bytes alike, begins %q", c.what, len(c.want), head(c.want))
		}
	}
}

func head(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// ringKeeps checks that the dump of a full ring of size bytes holds what
// HAProxy 2.6's accounting keeps: one counter byte, then per message its
// varint length, the message and a counter byte, all within size, and
// no room for one more message as long as the oldest kept.
func ringKeeps(t *testing.T, what, dump string, size int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(dump, "\n\n"), "\n")
	varint := func(n int) int {
		if n < 240 {
			return 1
		}
		k, v := 2, (n-240)>>4
		for ; v >= 128; k++ {
			v = (v - 128) >> 7
		}
		return k
	}
	used := 1
	for _, l := range lines {
		used += varint(len(l)) + len(l) + 1
	}
	next := varint(len(lines[0])) + len(lines[0]) + 1
	if used > size || used+next <= size {
		t.Errorf("%s: %d messages use %d of %d bytes (one more: %d)", what, len(lines), used, size, next)
	}
}

// newest is a's last lines, as many as b has (or all of a's): the
// messages two rings of the same size both keep when their lengths
// differ by the pid's width.
func newest(a, b string) string {
	la := strings.SplitAfter(strings.TrimSuffix(a, "\n"), "\n")
	lb := strings.SplitAfter(strings.TrimSuffix(b, "\n"), "\n")
	n := min(len(la), len(lb))
	return strings.Join(la[len(la)-n:], "")
}
