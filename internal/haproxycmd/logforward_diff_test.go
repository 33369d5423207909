package haproxycmd

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// logForwardInputs are the messages sent to a log-forward section: RFC
// 3164 and 5424 headers (with and without tag, pid, structured data,
// NILVALUEs), malformed headers, no priority, a priority out of range,
// trailing newlines and NULs.
var logForwardInputs = []string{
	"<134>Jan  5 01:02:03 myhost app[123]: hello rfc3164",
	"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 [exampleSDID@32473 iut=\"3\" x=\"a\\]b\"][b@1 c=\"d\"] An application event",
	"just raw text",
	"<13>raw with pri",
	"<11>Jan  5 01:02:03 app: no pid",
	"<134>Jan  5 01:02:03 host tag: x\n",
	"<999>bad pri",
	"<30>Jan  5 01:02:03 host tag[12]x: odd pid",
	"<30>Jan  5 01:02:03 host [12]: pid only",
	"<30>Jan  5 01:02:03 host no tag here",
	"<30>Feb 30 1:2:3 not a time",
	"<14>1 2003-10-11T22:14:15+02:00 h t p m - with zone",
	"<14>1 2003-10-11T22:14:15.123456-05:00 - - - - - all nil",
	"<14>1 bad 5424 header",
	"<12abc>x",
	"<8>trailing nul\x00\x00",
	"<0>1 - host tag 1 - - nil time",
}

var (
	lfNowISO    = regexp.MustCompile(`20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d`)
	lfNowLegacy = regexp.MustCompile(`[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d`)
	lfYear      = regexp.MustCompile(`20\d\d-01-05T01:02:03-00:00`)
)

// maskLogForward masks the times a relay takes from its clock (the
// inputs' own times are kept: they are Jan 5 01:02:03 and 2003).
func maskLogForward(s string) string {
	s = lfNowISO.ReplaceAllString(s, "NOW")
	s = lfYear.ReplaceAllString(s, "YEAR-01-05T01:02:03-00:00")
	return lfNowLegacy.ReplaceAllStringFunc(s, func(m string) string {
		if m == "Jan  5 01:02:03" || m == "Oct 11 22:14:15" {
			return m
		}
		return "NOWL"
	})
}

type logForwardRun struct {
	targets []string // datagrams per target, masked
	ring    string   // show events r, masked
}

// logForwardScenario runs bin with a log-forward section on UDP and TCP
// relaying to one UDP target per format (and a ring), sends the inputs
// over UDP, then over TCP with octet counting, LF and CR LF framing,
// and a last frame that is malformed (the connection is closed: what
// follows it is not relayed).
func logForwardScenario(t *testing.T, bin string) logForwardRun {
	formats := []string{"", "len 100 format rfc5424", "format rfc3164", "format raw", "len 90 format short",
		"format timed", "format iso", "format priority", "format local"}
	levels := []string{"local0", "local1 info notice", "local2 notice", "local3", "local4", "local5", "local6 debug", "local7", "daemon"}
	var targets []*net.UDPConn
	var logs strings.Builder
	for i, f := range formats {
		c := loopback.ListenUDP(t)
		targets = append(targets, c)
		fmt.Fprintf(&logs, "    log %s %s %s\n", c.LocalAddr(), f, levels[i])
	}
	sock := t.TempDir() + "/s.sock"
	addr := loopback.FreeAddr(t)
	cfg := fmt.Sprintf(`global
    stats socket %s level admin
ring r
    format rfc3164
    size 32768
log-forward lf
    dgram-bind %s
    bind %s
    maxconn 3
    timeout client 5s
%s    log ring@r local4 info
`, sock, addr, addr, logs.String())
	startWithConfig(t, bin, cfg, addr)
	u, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for _, m := range logForwardInputs {
		u.Write([]byte(m))
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the last datagrams relayed before the end mark
	u.Write([]byte("<0>UDP END"))
	// read gathers each target's datagrams up to the one holding end,
	// sorted: HAProxy's threads may relay two datagrams in either order.
	read := func(end string) []string {
		out := make([]string, len(targets))
		for i, c := range targets {
			var got []string
			readSyslog(c, func(d string) bool {
				got = append(got, maskLogForward(d))
				return !strings.Contains(d, end)
			})
			sort.Strings(got)
			out[i] = strings.Join(got, "")
		}
		return out
	}
	udp := read("UDP END")
	tc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	var b strings.Builder
	for i, m := range logForwardInputs {
		m = strings.TrimRight(m, "\n")
		switch {
		case i%3 == 0 || !strings.HasPrefix(m, "<"):
			fmt.Fprintf(&b, "%d %s", len(m), m)
		case i%3 == 1:
			b.WriteString(m + "\n")
		default:
			b.WriteString(m + "\r\n")
		}
	}
	b.WriteString("<0>TCP END\n0 bad frame<0>not relayed\n")
	tc.Write([]byte(b.String()))
	tcp := read("TCP END")
	// The ring is written apart from the targets: its TCP END line may
	// come after the targets' (either side, on a loaded machine).
	events := haproxytest.StatsCmd(t, sock, "show events r")
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(events, "TCP END") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		events = haproxytest.StatsCmd(t, sock, "show events r")
	}
	ring := strings.SplitAfter(maskLogForward(events), "\n")
	sort.Strings(ring)
	r := logForwardRun{ring: strings.Join(ring, "")}
	for i := range udp {
		r.targets = append(r.targets, udp[i]+tcp[i])
	}
	// after the malformed frame the connection is closed by the relay
	tc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := tc.Read(make([]byte, 1)); err == nil {
		t.Errorf("%s: the connection stayed open after a malformed frame (read %d)", bin, n)
	}
	return r
}

// TestLogForwardMatchesHAProxy: a log-forward section relays UDP and TCP
// syslog (octet counting, LF and CR LF framing) to targets of every
// format, with len, levels and minlevels, and to a ring, byte for byte
// as HAProxy 2.6.12 (the relay's own clock masked).
func TestLogForwardMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := logForwardScenario(t, hp)
	got := logForwardScenario(t, gohaproxy)
	if !strings.Contains(want.targets[0], "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 ") {
		t.Fatalf("haproxy relayed %q", head(want.targets[0]))
	}
	for i := range want.targets {
		if want.targets[i] != got.targets[i] {
			wl, gl := strings.SplitAfter(want.targets[i], "\n"), strings.SplitAfter(got.targets[i], "\n")
			for j := 0; j < max(len(wl), len(gl)); j++ {
				w, g := "", ""
				if j < len(wl) {
					w = wl[j]
				}
				if j < len(gl) {
					g = gl[j]
				}
				if w != g {
					t.Errorf("target %d line %d:\nhaproxy %q\n   goha %q", i, j, w, g)
				}
			}
		} else {
			t.Logf("target %d: %d bytes alike", i, len(want.targets[i]))
		}
	}
	if want.ring != got.ring {
		t.Errorf("show events r:\nhaproxy %q\n   goha %q", want.ring, got.ring)
	}
}
