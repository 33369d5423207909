package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/h2"
)

// TestH2Config: proto h2 marks its listener (another protocol is
// reported), tune.h2.* reach the proxy's settings, read as HAProxy's
// atoi reads them.
func TestH2Config(t *testing.T) {
	cases := []struct {
		global, bind string
		want         string // in the notices ("" = none)
		h2           bool
		settings     h2.Settings
	}{
		{"maxconn 10", "bind 127.0.0.1:1 proto h2", "", true, h2.Settings{}},
		{"maxconn 10", "bind 127.0.0.1:1", "", false, h2.Settings{}},
		{"maxconn 10", "bind 127.0.0.1:1 proto fcgi", "'bind proto fcgi'", false, h2.Settings{}},
		{"tune.h2.max-concurrent-streams 7\n    tune.h2.initial-window-size 1048576\n    tune.h2.header-table-size 8192\n    tune.h2.max-frame-size 32768",
			"bind 127.0.0.1:1 proto h2", "", true,
			h2.Settings{HeaderTableSize: 8192, InitialWindowSize: 1048576, MaxConcurrentStreams: 7, MaxFrameSize: 32768}},
		{"tune.h2.max-concurrent-streams 5x", "bind 127.0.0.1:1 proto h2", "", true,
			h2.Settings{HeaderTableSize: 4096, InitialWindowSize: 65535, MaxConcurrentStreams: 5, MaxFrameSize: 16384}},
	}
	for _, c := range cases {
		cfg := "global\n    " + c.global + "\nfrontend fe\n    " + c.bind +
			"\n    mode http\n    timeout client 1s\n    default_backend be\nbackend be\n    mode http\n    timeout connect 1s\n    timeout server 1s\n    server s1 127.0.0.1:9\n"
		p := buildText(t, cfg)
		got := strings.Join(notices(p), "\n")
		if (c.want == "" && got != "") || !strings.Contains(got, c.want) {
			t.Errorf("%s / %s: notices %q, want %q", c.global, c.bind, got, c.want)
		}
		if fe := p.Proxy.Frontends[0]; fe.H2["127.0.0.1:1"] != c.h2 {
			t.Errorf("%s: H2 %v", c.bind, fe.H2)
		}
		if p.Proxy.H2 != c.settings {
			t.Errorf("%s: settings %+v, want %+v", c.global, p.Proxy.H2, c.settings)
		}
	}
}
