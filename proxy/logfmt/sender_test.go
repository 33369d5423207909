package logfmt

import (
	"bytes"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 5, 9, 4, 44, 465e6, time.UTC) }

func udpListener(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recv(t *testing.T, c net.PacketConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no datagram: %v", err)
	}
	return string(buf[:n])
}

func mustTarget(t *testing.T, words string) Target {
	t.Helper()
	tg, err := parseTarget(words)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestLoggerUDPRFC3164(t *testing.T) {
	c := udpListener(t)
	addr := c.LocalAddr().String()
	l := NewLogger([]Target{
		mustTarget(t, addr+" local2"),
		mustTarget(t, addr+" len 100 local0 info notice"),
		mustTarget(t, addr+" local1 warning"), // drops info
	}, LoggerOptions{PID: 25286, Now: fixedNow, Location: time.UTC})
	defer l.Close()
	msg := `127.0.0.1:54608 [25/Nov/2026:09:08:55.939] lg lg/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>"`
	l.Log(Info, []byte(msg))
	// Day padded with a space, no hostname, newline at the end.
	if got, want := recv(t, c), "<150>Nov  5 09:04:44 haproxy[25286]: "+msg+"\n"; got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	// len 100: 100 bytes of header+message, then the newline (haproxy
	// 2.6.12 sent exactly this for this line).
	if got, want := recv(t, c), "<134>Nov  5 09:04:44 haproxy[25286]: 127.0.0.1:54608 [25/Nov/2026:09:08:55.939] lg lg/<NOSRV> -1/-1/\n"; got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _, err := c.ReadFrom(make([]byte, 10)); err == nil {
		t.Errorf("warning-level target received an info message (%d bytes)", n)
	}
	// minlevel raises nothing less severe but lowers an emergency.
	l.Log(Emerg, []byte("x"))
	got := []string{recv(t, c), recv(t, c), recv(t, c)}
	want := map[string]bool{"<144>Nov  5 09:04:44 haproxy[25286]: x\n": true, "<133>Nov  5 09:04:44 haproxy[25286]: x\n": true, "<136>Nov  5 09:04:44 haproxy[25286]: x\n": true}
	for _, g := range got {
		if !want[g] {
			t.Errorf("unexpected %q", g)
		}
		delete(want, g)
	}
}

func TestHeaders(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 8, 55, 939924000, time.UTC)
	h := &Header{Tag: "haproxy", PID: 30523, Location: time.UTC}
	tests := []struct {
		f    SyslogFormat
		want string
	}{
		// Measured on haproxy 2.6.12, `log ... format X local2`, level info.
		{RFC3164, "<150>Nov 25 09:08:55 haproxy[30523]: "},
		{RFC5424, "<150>1 2026-11-25T09:08:55.939924+00:00 - haproxy 30523 - - "},
		{Short, "<6>"},
		{Raw, ""},
		{Priority, "<150>"},
		{Timed, "<6>2026-11-25T09:08:55.939924+00:00 "},
		{ISO, "2026-11-25T09:08:55.939924+00:00 "},
	}
	for _, tc := range tests {
		if got := string(AppendHeader(nil, tc.f, 18, Info, now, h)); got != tc.want {
			t.Errorf("format %d: %q, want %q", tc.f, got, tc.want)
		}
	}
	h.Hostname = "lb1"
	if got := string(AppendHeader(nil, RFC3164, 18, Info, now, h)); got != "<150>Nov 25 09:08:55 lb1 haproxy[30523]: " {
		t.Errorf("with hostname: %q", got)
	}
}

func TestLoggerUnixgramAndFD(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	var out bytes.Buffer
	l := NewLogger([]Target{mustTarget(t, path+" local0"), mustTarget(t, "stdout format raw local0")},
		LoggerOptions{PID: 1, Tag: "gohaproxy", Now: fixedNow, Location: time.UTC, Stdout: &out})
	defer l.Close()
	// Nobody listens yet: the datagram is dropped and counted.
	l.Log(Info, []byte("early"))
	if l.Dropped() != 1 {
		t.Errorf("dropped = %d, want 1", l.Dropped())
	}
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	l.Log(Info, []byte("late"))
	if got := recv(t, pc); got != "<134>Nov  5 09:04:44 gohaproxy[1]: late\n" {
		t.Errorf("unixgram got %q", got)
	}
	if out.String() != "early\nlate\n" {
		t.Errorf("stdout got %q", out.String())
	}
}

func TestEmitHTTPLog(t *testing.T) {
	var out bytes.Buffer
	l := NewLogger([]Target{mustTarget(t, "stderr format raw daemon")}, LoggerOptions{Stderr: &out})
	e := &Entry{Frontend: "main", Status: 503, Term: [2]byte{'S', 'C'}, Method: []byte("GET"), Target: []byte("/"), Minor: 1}
	l.Emit(Info, HTTPLog, e, utcEnv)
	if !strings.HasSuffix(out.String(), ` main main/<NOSRV> 0/0/0/0/0 503 0 - - SC-- 0/0/0/0/0 0/0 "GET / HTTP/1.1"`+"\n") {
		t.Errorf("got %q", out.String())
	}
	allocs := testing.AllocsPerRun(100, func() { l.Emit(Info, HTTPLog, e, utcEnv) })
	if allocs > 0 && !raceEnabled {
		t.Errorf("Emit allocates %.1f times per line", allocs)
	}
}

// parseTarget makes the Target of a log line's words (after "log") the
// way gohaproxy does: the parser types the line, NewTarget takes the type.
func parseTarget(words string) (Target, error) {
	lt, msg := haproxy.ParseLogTarget(haproxy.Pos{}, append([]string{"log"}, strings.Fields(words)...))
	if msg != "" {
		return Target{}, errors.New(msg)
	}
	return NewTarget(lt)
}

func TestNewTarget(t *testing.T) {
	tests := []struct {
		in   string
		want Target
		err  string
	}{
		{"127.0.0.1 local2", Target{Network: "udp", Addr: "127.0.0.1:514", MaxLen: 1024, Facility: 18, MaxLevel: Debug}, ""},
		{"127.0.0.1:5514 len 200 format rfc5424 local0 info notice", Target{Network: "udp", Addr: "127.0.0.1:5514", MaxLen: 200, Format: RFC5424, Facility: 16, MaxLevel: Info, MinLevel: Notice}, ""},
		{"udp@[::1]:514 local7", Target{Network: "udp", Addr: "[::1]:514", MaxLen: 1024, Facility: 23, MaxLevel: Debug}, ""},
		{"ipv6@::1 user", Target{Network: "udp", Addr: "[::1]:514", MaxLen: 1024, Facility: 1, MaxLevel: Debug}, ""},
		{"/dev/log local0", Target{Network: "unixgram", Addr: "/dev/log", MaxLen: 1024, Facility: 16, MaxLevel: Debug}, ""},
		{"unix@/run/log local0 err", Target{Network: "unixgram", Addr: "/run/log", MaxLen: 1024, Facility: 16, MaxLevel: Err}, ""},
		{"stdout format raw daemon", Target{Network: "fd", Addr: "1", MaxLen: 1024, Format: Raw, Facility: 3, MaxLevel: Debug}, ""},
		{"fd@2 local0", Target{Network: "fd", Addr: "2", MaxLen: 1024, Facility: 16, MaxLevel: Debug}, ""},
		{"127.0.0.1 local9", Target{}, "unknown log facility 'local9'"},
		{"127.0.0.1 local0 loud", Target{}, "unknown optional log level 'loud'"},
		{"127.0.0.1 format json local0", Target{}, "unknown log format 'json'"},
		{"127.0.0.1", Target{}, "expects <address> and <facility>"},
		{"127.0.0.1 len 79 local0", Target{}, "log: invalid len '79' (must be between 80 and 65535)"},
		{"127.0.0.1 sample 1:2 local0", Target{}, "not supported"},
		{"fd@3 local0", Target{}, "not supported"},
		{"127.0.0.1 local0 info info info", Target{}, "log: too many arguments"},
		{"ring@buf len 90 format raw local0", Target{Network: "ring", Addr: "buf", MaxLen: 90, Format: Raw, Facility: 16, MaxLevel: Debug}, ""}, // the builder attaches the ring
	}
	for _, tc := range tests {
		got, err := parseTarget(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q:\n got %+v %v\nwant %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestLoggerDropsWhenReceiverIsFull: a unix datagram receiver that never
// reads fills up; Log must keep returning (lines dropped and counted)
// rather than block the caller.
func TestLoggerDropsWhenReceiverIsFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	l := NewLogger([]Target{mustTarget(t, path+" local0")}, LoggerOptions{PID: 1})
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		msg := []byte(strings.Repeat("x", 900))
		for i := 0; i < 5000; i++ {
			l.Log(Info, msg)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Log blocked on a full receiver")
	}
	if l.Dropped() == 0 {
		t.Errorf("5000 lines into a receiver that never reads, none dropped")
	}
	if got := recv(t, pc); !strings.HasPrefix(got, "<134>") {
		t.Errorf("first queued line %q", got[:20])
	}
}
