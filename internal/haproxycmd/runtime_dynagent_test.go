package haproxycmd

import (
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// Agent checks of servers `add server ... agent-check` creates, beside
// HAProxy 2.6: the agent is off until `enable agent`, then its replies
// (weight, drain, down, up) apply as for a configured server, in and out
// of the maintenance the server was created in; `disable agent` stops
// it; the server can be deleted. Answers, show stat agent columns, show
// servers state and the stderr lines are compared.
func TestDynamicServerAgentMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	web := p.webB
	agent := startFakeAgent(t)
	agent.set("up\n")
	_, agentPort, _ := net.SplitHostPort(agent.addr)
	p.same(t,
		"add server be/e1 "+web+" agent-check",
		"add server be/e2 "+web+" agent-check agent-port",
		"add server be/e3 "+web+" agent-check agent-inter abc",
		"add server be/a1 "+web+" agent-check agent-port "+agentPort+" agent-inter 100ms agent-send hello\\n",
		"add server be/a2 "+web+" agent-check port "+agentPort+" agent-inter 100ms agent-addr 127.0.0.1",
		"add server be/a3 "+web+" agent-port "+agentPort+" agent-inter 100ms", // no agent-check: no agent
		"enable agent be/a3", "disable agent be/a3",
	)
	cols := []string{"pxname", "svname", "status", "weight", "uweight", "agent_status", "agent_code", "agent_desc", "last_agt",
		"agent_rise", "agent_fall", "agent_health", "act", "bck"}
	sameState := func(what string) {
		t.Helper()
		var haCols, goCols, haState, goState []string
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			ha, goha := p.both(t, "show stat")
			haCols, goCols = statColumns(t, ha, cols), statColumns(t, goha, cols)
			ha, goha = p.both(t, "show servers state be")
			haState, goState = strings.Split(haproxytest.ServersState(ha), "\n"), strings.Split(haproxytest.ServersState(goha), "\n")
			if slices.Equal(haCols, goCols) && slices.Equal(haState, goState) || time.Now().After(deadline) {
				break
			}
		}
		diffLines(t, what, haCols, goCols)
		diffLines(t, what+": show servers state", haState, goState)
	}
	sameState("added, agents off")
	p.same(t, "enable agent be/a1", "enable agent be/a2")
	agent.set("50%\n")
	time.Sleep(400 * time.Millisecond)
	sameState("agents on in maintenance")
	p.same(t, "enable server be/a1", "enable server be/a2")
	time.Sleep(300 * time.Millisecond)
	sameState("out of maintenance")
	agent.set("down\n")
	time.Sleep(400 * time.Millisecond)
	sameState("agent down")
	agent.set("up 100%\n")
	time.Sleep(400 * time.Millisecond)
	sameState("agent up")
	p.same(t, "disable agent be/a2")
	agent.set("drain\n")
	time.Sleep(400 * time.Millisecond)
	sameState("a2 agent off, a1 drained")
	agent.set("up\n") // no admin word: the agent leaves the maintenance alone
	time.Sleep(300 * time.Millisecond)
	p.same(t, "disable server be/a1", "del server be/a1", "enable agent be/a1")
	sameState("a1 deleted")
	duration := regexp.MustCompile(`check duration: \d+ms`)
	pick := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, ") : "); i >= 0 && strings.Contains(l, "/a") {
				keep = append(keep, duration.ReplaceAllString(strings.TrimPrefix(l[i+4:], "CLI : "), "check duration: Nms"))
			}
		}
		return keep
	}
	// the two agents answer up in either order: their UP lines are
	// compared without the counts the order sets, and the lines sorted
	upCounts := regexp.MustCompile(`(is UP, reason: .*)\. \d+ active`)
	ha, goha := pick(p.haErr.String()), pick(p.goErr.String())
	for _, lines := range [][]string{ha, goha} {
		for i := range lines {
			lines[i] = upCounts.ReplaceAllString(lines[i], "$1. N active")
		}
		slices.Sort(lines)
	}
	if len(ha) < 8 {
		t.Fatalf("haproxy logged only %q", ha)
	}
	diffLines(t, "stderr", ha, goha)
	if testing.Verbose() {
		t.Logf("haproxy:\n%s\ngoha:\n%s", strings.Join(ha, "\n"), strings.Join(goha, "\n"))
	}
}
