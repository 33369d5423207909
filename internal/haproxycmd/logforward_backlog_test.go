package haproxycmd

import (
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// A log-forward section's `backlog` (and its default, without it) is the
// listen queue of its TCP bind, as HAProxy 2.6 sets it: the Send-Q ss
// shows for each daemon's listening socket.
func TestLogForwardBacklogMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ss")
	for _, backlog := range []string{"    backlog 7\n", "    maxconn 20\n", ""} {
		var got [2]string
		for i, bin := range []string{"haproxy", gohaproxy} {
			addr := loopback.FreeAddr(t)
			cfg := "log-forward lf\n    bind " + addr + "\n" + backlog + "    timeout client 5s\n    log 127.0.0.1:9 local0\n"
			startWithConfig(t, bin, cfg, addr)
			_, port, _ := net.SplitHostPort(addr)
			out, err := exec.Command("ss", "-Hltn", "sport = :"+port).Output()
			if err != nil {
				t.Fatal(err)
			}
			// State Recv-Q Send-Q Local Peer: Send-Q is the backlog
			if f := strings.Fields(string(out)); len(f) >= 3 {
				got[i] = f[2]
			} else {
				got[i] = "no listener: " + string(out)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%q: listen queue haproxy %s, goha %s", strings.TrimSpace(backlog), got[0], got[1])
		}
		t.Logf("%q: %s", strings.TrimSpace(backlog), got[0])
	}
}
