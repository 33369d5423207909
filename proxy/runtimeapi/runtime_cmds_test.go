package runtimeapi

import (
	"strings"
	"testing"
)

// The new commands against a Source that implements none of their
// interfaces: HAProxy's argument errors first, then goha's "not
// supported", never a silent success.
func TestRuntimeCommandsWithoutSupport(t *testing.T) {
	tests := []struct{ cmd, want string }{
		{"set maxconn global 10", errNotSupported},
		{"set maxconn server servers/web1 abc", errNotSupported},
		{"set rate-limit connections global 5", errNotSupported},
		{"set rate-limit connections global 0", ""},
		{"set rate-limit http-compression global 5", errNotSupported},
		{"set rate-limit bogus global 5", rateLimitUsage},
		{"set server servers/web1 addr", "set server <b>/<s> addr requires an address and optionally a port.\n"},
		{"set server servers/web1 addr 127.0.0.1", errNotSupported},
		{"set server servers/web1 health up", errNotSupported},
		{"set server servers/web1 health bogus", "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n"},
		{"set server servers/web1 check-port 80", "health checks are not enabled on this server"},
		{"set server tcpbe/t1 check-port 80", errNotSupported},
		{"set server servers/web1 agent up", "agent checks are not enabled on this server.\n"},
		{"set server servers/web1 agent-port 1", "agent checks are not enabled on this server"},
		{"set server servers/web1 fqdn a.example", "set server <b>/<s> fqdn failed because no resolution is configured.\n"},
		{"shutdown sessions server servers/web1", errNotSupported},
		{"shutdown sessions server servers", "Require 'backend/server'.\n"},
		{"show resolvers", ""},
		{"show resolvers default", "Can't find that resolvers section\n"},
	}
	for _, tc := range tests {
		out, _ := NewSession(newFakeSource(), LevelAdmin).Exec(tc.cmd)
		if got := strings.TrimSuffix(string(out), "\n"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// show servers conn: HAProxy's header with one idle column per thread,
// goha's idle connections reported on the first.
func TestFormatServersConn(t *testing.T) {
	px := newFakeSource().Stats()
	px[4].Backend.Servers[0].IdleConns = 3
	px[4].Backend.Servers[0].SCur = 2
	out, ok := FormatServersConn(px, "tcpbe", 2)
	want := "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[2]\n" +
		"tcpbe/t1 6/1 127.0.0.1 18090 - 5000 2 0 1 0 3 -1 3 3 0\n"
	if !ok || out != want {
		t.Errorf("got %q", out)
	}
	if _, ok := FormatServersConn(px, "nosuch", 2); ok {
		t.Error("an unknown backend was found")
	}
}

func TestParseMaxconn(t *testing.T) {
	for in, want := range map[string]int{"10": 10, "-2": -2, "+7": 7, " 5": 5, "4294967297": 1} {
		if got, msg := ParseMaxconn(in); got != want || msg != "" {
			t.Errorf("%q: %d %q", in, got, msg)
		}
	}
	for in, want := range map[string]string{"": "maxconn string empty or preceded by garbage", "x1": "maxconn string empty or preceded by garbage", "5x": "Trailing garbage in maxconn string"} {
		if _, msg := ParseMaxconn(in); msg != want {
			t.Errorf("%q: %q", in, msg)
		}
	}
}

// rateLimitedSource reports configured maxconnrate and maxsessrate.
type rateLimitedSource struct{ *fakeSource }

func (s rateLimitedSource) Info() Info {
	in := s.fakeSource.Info()
	in.ConnRateLimit, in.SessRateLimit = 5, 7
	return in
}

// `set rate-limit connections|sessions global 0` cannot lift a configured
// limit: refused, not answered as done.
func TestSetRateLimitWithConfiguredLimits(t *testing.T) {
	for _, cmd := range []string{"set rate-limit connections global 0", "set rate-limit sessions global 0"} {
		out, _ := NewSession(rateLimitedSource{newFakeSource()}, LevelAdmin).Exec(cmd)
		if got := strings.TrimSuffix(string(out), "\n"); got != errNotSupported {
			t.Errorf("%s: %q, want %q", cmd, got, errNotSupported)
		}
	}
}
