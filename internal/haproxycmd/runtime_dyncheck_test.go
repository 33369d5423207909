package haproxycmd

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// Health checks of servers `add server ... check` creates, beside HAProxy
// 2.6: the check is off until `enable health` (srv_check_state 2), then
// runs in the maintenance the server was created in (health moves, no
// UP/DOWN line), the server leaves maintenance UP with a fresh health and
// the next result takes it down or keeps it; `disable health` shows "no
// check"; a checked dynamic server can be deleted. Answers, `show stat`
// check columns, `show servers state` and the stderr lines are compared.
func TestDynamicServerChecksMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	web := p.webB
	_, webPort, _ := net.SplitHostPort(web)
	dead := loopback.DeadAddr(t)
	p.same(t,
		"add server be/e1 "+web+" check inter abc", "add server be/e1 "+web+" check inter",
		"add server be/e1 "+web+" check rise 0", "add server be/e1 "+web+" check fall",
		"add server be/e1 "+web+" check addr foo", "add server be/e1 "+web+" check fastinter 0",
		"add server be/d1 "+web+" check inter 100ms",
		"add server be/d2 "+dead+" check inter 100ms rise 1 fall 1",
		"add server be/d3 "+dead+" check inter 100ms addr 127.0.0.1 port "+webPort,
		"add server be/d4 "+web+" inter 100ms", // no `check`: no check
		"enable health be/d4", "enable agent be/d1", "enable health be/zz", "enable health zz/d1", "enable health",
		"disable health be/d4", "disable agent be/d1",
	)
	cols := []string{"pxname", "svname", "status", "weight", "check_status", "check_code", "check_rise", "check_fall", "check_health", "act", "bck"}
	sameState := func(what string) {
		t.Helper()
		// HAProxy shows a check under way ("* L7OK" with code 0, the
		// in-progress bit in srv_check_state): read again until neither
		// side is in the middle of one
		var haCols, goCols, haState, goState []string
		for try := 0; try < 10; try++ {
			ha, goha := p.both(t, "show stat")
			haCols, goCols = statColumns(t, ha, cols), statColumns(t, goha, cols)
			ha, goha = p.both(t, "show servers state be")
			haState, goState = strings.Split(haproxytest.ServersState(ha), "\n"), strings.Split(haproxytest.ServersState(goha), "\n")
			if slices.Equal(haCols, goCols) && slices.Equal(haState, goState) {
				break
			}
			time.Sleep(30 * time.Millisecond)
		}
		diffLines(t, what, haCols, goCols)
		diffLines(t, what+": show servers state", haState, goState)
	}
	sameState("added, checks off")
	p.same(t, "enable health be/d1", "enable health be/d2", "enable health be/d3", "enable health be/d3")
	time.Sleep(700 * time.Millisecond)
	sameState("checks on in maintenance")
	p.same(t, "enable server be/d1", "enable server be/d3", "enable server be/d4")
	time.Sleep(300 * time.Millisecond)
	p.same(t, "set server be/d2 state ready") // its next check takes it down
	time.Sleep(400 * time.Millisecond)
	sameState("out of maintenance")
	p.same(t, "disable health be/d3")
	time.Sleep(300 * time.Millisecond)
	sameState("d3 check off")
	p.same(t, "enable health be/d3", "disable server be/d2", "del server be/d2", "enable health be/d2")
	time.Sleep(500 * time.Millisecond)
	sameState("d2 deleted, d3 checked again")
	pick := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, ") : "); i >= 0 && strings.Contains(l, "/d") {
				// a check's duration is its own timing (0ms or 1ms)
				keep = append(keep, checkDuration.ReplaceAllString(strings.TrimPrefix(l[i+4:], "CLI : "), "check duration: Nms"))
			}
		}
		return keep
	}
	// a check and a CLI command may come in either order
	ha, goha := pick(p.haErr.String()), pick(p.goErr.String())
	slices.Sort(ha)
	slices.Sort(goha)
	if len(ha) < 8 {
		t.Fatalf("haproxy logged only %q", ha)
	}
	diffLines(t, "stderr", ha, goha)
}
