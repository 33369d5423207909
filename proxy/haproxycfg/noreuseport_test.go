package haproxycfg

import (
	"strings"
	"testing"
)

// TestNoReusePortPeersRefused: under global noreuseport a peers section
// whose local peer listens is refused (goha's reloaded worker binds that
// address again, which takes SO_REUSEPORT); the plan carries the
// setting the worker's listeners read.
func TestNoReusePortPeersRefused(t *testing.T) {
	for _, no := range []bool{false, true} {
		g := "global\n    localpeer me\n"
		if no {
			g += "    noreuseport\n"
		}
		p := buildText(t, g+"peers p\n    peer me 127.0.0.1:19997\n"+
			"defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
			"frontend fe\n    bind 127.0.0.1:19998\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n")
		got := strings.Join(notices(p), "\n")
		refused := strings.Contains(got, "peers section with a local peer listening under global noreuseport")
		if refused != no || p.Process.ReusePort == no {
			t.Errorf("noreuseport %v: ReusePort %v, notices %q", no, p.Process.ReusePort, got)
		}
	}
}
