package haproxycmd

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// `disable frontend` pauses the listeners (new connections are refused;
// show stat says PAUSED) and `enable frontend` resumes them on the same
// sockets, with HAProxy 2.6's answers for every case.
func TestDisableEnableFrontendMatchHAProxy(t *testing.T) {
	p := startFormatsPair(t)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, p.haSock, cmd), haproxytest.StatsCmd(t, p.goSock, cmd)
	}
	same := func(cmd string) {
		t.Helper()
		if ha, goha := both(cmd); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
		}
	}
	for _, cmd := range []string{"disable frontend", "disable frontend nosuch", "disable frontend be", "operator; disable frontend fe",
		"enable frontend fe", "disable frontend fe", "disable frontend fe", "disable frontend tcpl", "enable frontend tcpl"} {
		same(cmd)
	}
	cols := []string{"pxname", "svname", "status"}
	ha, goha := both("show stat")
	diffLines(t, "show stat while paused", statColumns(t, ha, cols), statColumns(t, goha, cols))
	if !strings.Contains(goha, "fe,FRONTEND,") || !strings.Contains(strings.Join(statColumns(t, goha, cols), "\n"), "svname=FRONTEND status=PAUSED") {
		t.Errorf("goha's frontend is not PAUSED:\n%s", goha)
	}
	for name, addr := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s accepted a connection while paused", name)
		}
	}
	same("enable frontend fe")
	same("enable frontend fe")
	for name, addr := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if st := loopback.Get(t, addr); !strings.Contains(st, "web") {
			t.Errorf("%s: after enable frontend a request got %q", name, st)
		}
	}
	ha, goha = both("show stat")
	diffLines(t, "show stat after enable", statColumns(t, ha, cols), statColumns(t, goha, cols))
}
