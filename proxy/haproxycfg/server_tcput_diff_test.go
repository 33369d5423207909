package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestServerTCPUserTimeoutDifferential: the server option `tcp-ut`
// beside HAProxy 2.6: TCP_USER_TIMEOUT read with getsockopt on each
// daemon's socket to the server for one TCP session (the checks' in
// internal/haproxycmd TestCheckTCPUserTimeoutMatchHAProxy).
// A default-server's tcp-ut is read and dropped (HAProxy keeps it only on
// a line with an IPv4/IPv6 address); a time is rounded up to a whole
// millisecond.
func TestServerTCPUserTimeoutDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "ss")
	ts := startTaggedServer(t)
	srv := ts.addr
	const head = "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    bind BIND\n    default_backend be\nbackend be\n"
	cases := []struct{ name, be string }{
		{"none", "    server s1 SRV\n"},
		{"milliseconds", "    server s1 SRV tcp-ut 2500\n"},
		{"seconds", "    server s1 SRV tcp-ut 3s\n"},
		{"below a millisecond", "    server s1 SRV tcp-ut 100us\n"},
		{"microseconds", "    server s1 SRV tcp-ut 2001us\n"},
		{"default-server's", "    default-server tcp-ut 4s\n    server s1 SRV\n"},
		{"default-server's and the line's", "    default-server tcp-ut 4s\n    server s1 SRV tcp-ut 1500\n"},
	}
	for _, tc := range cases {
		cfg := strings.ReplaceAll(head+tc.be, "SRV", srv)
		requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
		ha, goha := startBoth(t, cfg)
		var got [2]int // haproxy, goha
		for i, addr := range []string{ha, goha} {
			_, peer := ts.through(t, tc.name, addr)
			got[i] = acceptedUT(t, peer, srv)
		}
		if got[0] != got[1] {
			t.Errorf("%s: TCP_USER_TIMEOUT: haproxy %v, goha %v", tc.name, got[0], got[1])
		}
		t.Logf("%s: %v", tc.name, got[0])
	}
}
