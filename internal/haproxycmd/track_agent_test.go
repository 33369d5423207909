package haproxycmd

import (
	"fmt"
	"net"
	"testing"
)

// `track` with agent-check on either side: the tracked server's agent
// (down, up, drain, a weight) and a tracking server's own agent, beside
// HAProxy 2.6: lines, show stat rows, servers state and traffic.
func TestServerTrackAgentMatchHAProxy(t *testing.T) {
	web, _, chkPort := trackServers(t)
	tracked, own := startFakeAgent(t), startFakeAgent(t)
	tracked.set("up\n")
	own.set("up\n")
	_, trackedPort, _ := net.SplitHostPort(tracked.addr)
	_, ownPort, _ := net.SplitHostPort(own.addr)
	backends := fmt.Sprintf(`backend be
    server s1 %s track b1/s1
    server s2 %s track b1/s1 agent-check agent-port %s agent-inter 100
    server s3 %s track s2
backend b1
    option httpchk
    server s1 %s check port %s inter 100 rise 1 fall 1 agent-check agent-port %s agent-inter 100
`, web, web, ownPort, web, web, chkPort, trackedPort)
	pair := startTrackPair(t, backends)
	cols := []string{"pxname", "svname", "status", "tracked", "weight", "uweight", "act", "bck", "agent_status", "agent_health"}
	step := func(name string, a *fakeAgent, reply string) {
		t.Helper()
		pair.step(name, cols, serverRows, func() { a.set(reply) })
	}
	step("up", tracked, "up\n")
	step("tracked agent down", tracked, "down\n")
	step("tracked agent up", tracked, "up\n")
	step("tracked agent drain", tracked, "drain\n")
	step("tracked agent ready", tracked, "ready\n")
	step("tracked agent weight", tracked, "50%\n")
	step("tracked agent full weight", tracked, "100%\n")
	step("own agent down", own, "down\n")
	step("own agent up", own, "up\n")
	step("own agent drain", own, "drain\n")
	step("own agent ready", own, "ready 100%\n")
	pair.stderr()
}
