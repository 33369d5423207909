package runtimeapi

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestStrtoulAsC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"", 0}, {"foo", 0}, {"0x", 0}, {"0x1f", 0x1f}, {"0X1Fg", 0x1f}, {"0x55d0:", 0x55d0},
		{"1234", 1234}, {"017", 0o17}, {"09", 0}, {" 12", 12}, {"+7", 7}, {"-1", ^uint64(0)},
		{"0xffffffffffffffffff", ^uint64(0)},
	} {
		if got := strtoul(c.in); got != c.want {
			t.Errorf("strtoul(%q) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func TestHumanTimeAsHAProxy(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {999 * time.Millisecond, "0s"}, {59 * time.Second, "59s"}, {60 * time.Second, "1m"},
		{61 * time.Second, "1m1s"}, {3600 * time.Second, "1h"}, {3661 * time.Second, "1h1m"},
		{86400 * time.Second, "1d"}, {90061 * time.Second, "1d1h"}, {-time.Second, "?"},
	} {
		if got := humanTime(c.d); got != c.want {
			t.Errorf("humanTime(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// streamFake is a source with sessions.
type streamFake struct {
	*fakeSource
	streams []Stream
	killed  []uint64
}

func (f *streamFake) Streams() []Stream { return f.streams }
func (f *streamFake) ShutdownStream(id uint64) bool {
	for _, s := range f.streams {
		if s.ID == id {
			f.killed = append(f.killed, id)
			return true
		}
	}
	return false
}

func TestShowSessAndShutdownSession(t *testing.T) {
	f := &streamFake{fakeSource: newFakeSource(), streams: []Stream{
		{ID: 0x55d000000400, Src: netip.MustParseAddrPort("127.0.0.1:4000"), Frontend: "tcpfe", Backend: "tcpbe", Server: "t1", Age: 61 * time.Second},
		{ID: 0x55d000000800, Src: netip.MustParseAddrPort("[::1]:4001"), Frontend: "main"},
	}}
	s := NewSession(f, LevelAdmin)
	out, _ := s.Exec("show sess")
	lines := strings.Split(string(out), "\n")
	for i, want := range []string{
		"0x55d000000400: proto=tcpv4 src=127.0.0.1:4000 fe=tcpfe be=tcpbe srv=t1 ts=00 epoch=0 age=1m1s ",
		"0x55d000000800: proto=tcpv6 src=[::1]:4001 fe=main be=main srv=<none> ts=00 ",
		"0x7f4d", // the CLI's own stream
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[2], " fe=GLOBAL be=<NONE> srv=<none> ") || len(lines) != 5 {
		t.Errorf("show sess = %q", out)
	}
	if again, _ := s.Exec("show sess foo"); string(again) != string(out) { // strtoul gives 0: the list
		t.Errorf("show sess foo = %q", again)
	}
	for cmd, want := range map[string]string{
		"show sess 0x1":                     "Session not found.\n\n",
		"shutdown session":                  "Session pointer expected (use 'show sess').\n\n",
		"shutdown session 0x1":              "No such session (use 'show sess').\n\n",
		"shutdown session 0x55d000000800":   "\n",
		"operator; shutdown session 0x1234": "\nPermission denied\n\n",
	} {
		if got, _ := NewSession(f, LevelAdmin).Exec(cmd); string(got) != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	all, _ := NewSession(f, LevelAdmin).Exec("show sess all")
	var heads []string
	for _, l := range strings.Split(string(all), "\n") {
		if strings.HasPrefix(l, "0x") {
			heads = append(heads, l[:strings.Index(l, " [")])
		}
	}
	if want := []string{"0x55d000000400:", "0x55d000000800:"}; len(heads) != 3 || heads[0] != want[0] || heads[1] != want[1] ||
		!strings.Contains(string(all), "  backend=tcpbe (id=6 mode=tcp) addr=?\n  server=t1 (id=1) addr=") {
		t.Errorf("show sess all = %q", all)
	}
	if one, _ := NewSession(f, LevelAdmin).Exec("show sess 0x55d000000800"); !strings.HasPrefix(string(one), "0x55d000000800: [") ||
		strings.Count(string(one), "\n") != 19 {
		t.Errorf("show sess 0x55d000000800 = %q", one)
	}
	if len(f.killed) != 1 || f.killed[0] != 0x55d000000800 {
		t.Errorf("killed %x", f.killed)
	}
}
