package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// hangingServer accepts connections and never answers; they close when
// the peer gives up.
func hangingServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { io.Copy(io.Discard, c) })
}

var checkProgressCols = []string{"svname", "status", "chkfail", "chkdown", "check_status", "last_chk", "check_health",
	"agent_status", "last_agt", "agent_health"}

// chkfail counts the failed checks that take health away (not those of a
// server already at health 0), as HAProxy 2.6 does, and `clear counters
// all` zeroes it; a check under way shows "* " before its status in show
// stat, with an empty last_chk, and bit 0 of its check state with no
// result in show servers state, for a health check and an agent-check
// whose server hangs (an agent given only `port`); a server's `port` and `addr` are its agent's too in
// show servers state. Compared with HAProxy 2.6 at each step, waiting
// (bounded) for both daemons to settle where checks race with the sample.
func TestCheckFailAndProgressMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web").Addr
	_, webPort, _ := net.SplitHostPort(web)
	var failing atomic.Bool
	chk := switchedCheck(t, &failing)
	_, chkPort, _ := net.SplitHostPort(chk)
	hang := hangingServer(t)
	_, hangPort, _ := net.SplitHostPort(hang)
	backends := fmt.Sprintf(`backend be
    option httpchk
    timeout check 3s
    server s1 %s check inter 150 rise 2 fall 3
    server s2 %s check port %s inter 150 rise 1 fall 2
    server s3 %s check inter 150
    server s4 %s agent-check port %s agent-inter 150
    server s5 %s check port %s addr 127.0.0.1 inter 2s
`, loopback.DeadAddr(t), web, chkPort, hang, web, hangPort, web, webPort)
	haSock, _, _ := serverOptsDaemon(t, true, "", backends)
	goSock, _, _ := serverOptsDaemon(t, false, "", backends)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd)
	}
	compare := func(when string) {
		t.Helper()
		var h, g []string
		var hs, gs string
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			ha, goha := both("show stat be -1 -1")
			h, g = statColumns(t, ha, checkProgressCols), statColumns(t, goha, checkProgressCols)
			ha, goha = both("show servers state be")
			hs, gs = haproxytest.ServersState(ha), haproxytest.ServersState(goha)
			if strings.Join(h, "\n") == strings.Join(g, "\n") && hs == gs || time.Now().After(deadline) {
				break
			}
		}
		diffLines(t, when+": show stat", h, g)
		if hs != gs {
			t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", when, hs, gs)
		}
		for _, r := range h {
			if (strings.HasPrefix(r, "svname=s3 ") || strings.HasPrefix(r, "svname=s4 ")) && !strings.Contains(r, "status=* ") {
				t.Errorf("%s: HAProxy shows no check under way for a hanging server: %s", when, r)
			}
		}
	}
	time.Sleep(1600 * time.Millisecond) // the last first check starts at 2s*5/6 (Runner.Start)
	compare("at start")
	failing.Store(true)
	time.Sleep(500 * time.Millisecond)
	compare("s2 failing")
	failing.Store(false)
	time.Sleep(300 * time.Millisecond)
	compare("s2 back")
	failing.Store(true)
	time.Sleep(500 * time.Millisecond)
	compare("s2 failing again")
	both("clear counters all")
	compare("after clear counters all")
}
