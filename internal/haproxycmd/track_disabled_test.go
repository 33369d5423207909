package haproxycmd

import (
	"fmt"
	"testing"
)

// `disabled` on either side of `track`: a disabled tracked server passes
// its maintenance down the chain from the start, a disabled tracking
// server keeps its own; enabling either gives HAProxy 2.6's lines, show
// stat rows and servers state, and traffic follows.
func TestServerTrackDisabledMatchHAProxy(t *testing.T) {
	web, code, chkPort := trackServers(t)
	backends := fmt.Sprintf(`backend be
    server s1 %s track b1/s1
    server s2 %s track b1/s2 disabled
    server s3 %s track s1
    server s4 %s track s2
    server s5 %s track s1 disabled
    server s6 %s track b1/s1 disabled
backend b1
    option httpchk
    server s1 %s check port %s inter 100 rise 1 fall 1 disabled
    server s2 %s check port %s inter 100 rise 1 fall 1
backend b2
    server s7 %s track b1/s1
    server s8 %s track b1/s1 disabled
`, web, web, web, web, web, web, web, chkPort, web, chkPort, web, web)
	pair := startTrackPair(t, backends)
	cols := []string{"pxname", "svname", "status", "tracked", "weight", "act", "bck", "check_status", "check_health"}
	step := func(name string, c int32, cmd string) {
		t.Helper()
		pair.step(name, cols, serverRows, func() { code.Store(c); pair.cmd(name, cmd) })
	}
	step("at start", 200, "")
	step("tracked enabled", 200, "enable server b1/s1")
	step("tracker enabled", 200, "enable server be/s2")
	step("tracked disabled again", 200, "disable server b1/s1")
	step("tracker disabled again", 200, "disable server be/s2")
	step("tracked down", 503, "")
	step("tracker enabled while down", 503, "enable server be/s2")
	step("all up", 200, "enable server b1/s1")
	step("disabled trackers of disabled ones enabled", 200, "enable server be/s5")
	step("the last one enabled", 200, "enable server be/s6")
	pair.stderr()
}
