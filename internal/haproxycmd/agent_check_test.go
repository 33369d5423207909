package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// fakeAgent answers every connection with its current reply after
// reading what the checker sends (agent-send), then closes, as a
// load-balancer agent does.
type fakeAgent struct {
	addr  string
	mu    sync.Mutex
	reply string
	got   map[string]int // what checkers sent, by payload
}

func startFakeAgent(t *testing.T) *fakeAgent {
	a := &fakeAgent{got: map[string]int{}}
	ln := loopback.Listen(t)
	a.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				buf := make([]byte, 256)
				n, _ := c.Read(buf)
				a.mu.Lock()
				a.got[string(buf[:n])]++
				r := a.reply
				a.mu.Unlock()
				c.Write([]byte(r))
			}()
		}
	}()
	return a
}

func (a *fakeAgent) set(r string) {
	a.mu.Lock()
	a.reply = r
	a.mu.Unlock()
}

// An agent-check answering each kind of reply (weights, drain, ready,
// maint, down/up/fail/stopped with and without a description, maxconn,
// unknown words, an empty and an incomplete line) leaves the same server
// state, weight, maxconn and agent columns in show stat as HAProxy, and
// the same log lines on stderr; the agent receives agent-send's bytes.
func TestAgentCheckMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	webA, webB := loopback.StartWeb(t, "webA"), loopback.StartWeb(t, "webB")
	agent := startFakeAgent(t)
	agent.set("up\n")
	_, agentPort, _ := net.SplitHostPort(agent.addr)
	ha, goha := startAgentDaemon(t, true, agentPort, webA.Addr, webB.Addr, ""), startAgentDaemon(t, false, agentPort, webA.Addr, webB.Addr, "")
	cols := []string{"svname", "status", "weight", "slim", "last_agt", "agent_status", "agent_code", "agent_desc",
		"agent_rise", "agent_fall", "agent_health", "uweight", "check_status"}
	inProgress := regexp.MustCompile(`\* `)
	stat := func(sock string) []string {
		rows := statColumns(t, haproxytest.StatsCmd(t, sock, "show stat be 4 -1"), cols)
		for i := range rows {
			rows[i] = inProgress.ReplaceAllString(rows[i], "")
		}
		return rows
	}
	// settled compares the rows once both daemons have seen what changed:
	// within a few agent rounds, so on a loaded machine it waits (bounded)
	// until their rows agree.
	settled := func(what string) {
		t.Helper()
		time.Sleep(300 * time.Millisecond)
		var h, g []string
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			h, g = stat(ha.sock), stat(goha.sock)
			if strings.Join(h, "\n") == strings.Join(g, "\n") || time.Now().After(deadline) {
				break
			}
		}
		diffLines(t, what, h, g)
	}
	time.Sleep(400 * time.Millisecond)
	for _, reply := range []string{"50%\n", "75% # hello world\n", "drain\n", "drain 50%\n", "ready 100%\n", "maint\n",
		"ready\n", "down # broken thing\n", "up\n", "fail\n", "UP 80%\n", "stopped\n", "Up\n", "maxconn:30\n",
		"up, maxconn:5 60%\n", "foo\n", "\n", "incomplete", "#only comment\n", "down#x\n", "150%\n", "maxconn:0 100%\n"} {
		agent.set(reply)
		settled(fmt.Sprintf("show stat after agent reply %q", reply))
	}
	agent.mu.Lock()
	if len(agent.got) != 1 || agent.got["hello\n"] == 0 {
		t.Errorf("the agent received %v, want only agent-send's \"hello\\n\"", agent.got)
	}
	agent.mu.Unlock()
	// the runtime commands on the agent, answers and effects
	agent.set("up\n")
	time.Sleep(300 * time.Millisecond)
	both := func(cmd string) {
		t.Helper()
		if h, g := haproxytest.StatsCmd(t, ha.sock, cmd), haproxytest.StatsCmd(t, goha.sock, cmd); h != g {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, h, g)
		}
	}
	for _, cmd := range []string{"set server be/s1 agent", "set server be/s1 agent foo", "set server be/s2 agent up",
		"set server be/s2 agent-addr 127.0.0.1", "set server be/s2 agent-send x", "set server be/s1 agent down"} {
		both(cmd)
	}
	// the agent's next round (it answers up) races the commands below:
	// both daemons must have had it before they run
	settled("show stat after agent down")
	for _, cmd := range []string{"set server be/s1 agent up", "set server be/s1 agent-addr", "set server be/s1 agent-addr foo",
		"set server be/s1 agent-port", "set server be/s1 agent-port abc", "set server be/s1 agent-port 70000",
		"set server be/s1 agent-addr 127.0.0.2", "set server be/s1 agent-port 1"} {
		both(cmd)
	}
	st := func(sock string) string {
		return haproxytest.ServersState(haproxytest.StatsCmd(t, sock, "show servers state be"))
	}
	if h, g := st(ha.sock), st(goha.sock); h != g {
		t.Errorf("show servers state after agent-addr/port\nhaproxy %s\n   goha %s", h, g)
	}
	agent.mu.Lock()
	agent.got = map[string]int{}
	agent.mu.Unlock()
	both("set server be/s1 agent-addr 127.0.0.1")
	both("set server be/s1 agent-port " + agentPort)
	both("set server be/s1 agent-send bye")
	time.Sleep(300 * time.Millisecond)
	agent.mu.Lock()
	if agent.got["bye"] < 2 || len(agent.got) > 2 {
		t.Errorf("after agent-send bye the agent received %v", agent.got)
	}
	agent.mu.Unlock()

	time.Sleep(200 * time.Millisecond)
	haLines, goLines := agentLines(ha.errs.String()), agentLines(goha.errs.String())
	if len(haLines) < 10 {
		t.Fatalf("haproxy logged only %q", haLines)
	}
	diffLines(t, "stderr", haLines, goLines)
}

// agentDaemon is haproxy or goha running the agent tests' configuration:
// s1 (web A, weight 50) checked by the fake agent only, s2 (web B) by a
// plain check; extra goes into the backend.
type agentDaemon struct {
	sock string
	errs *haproxytest.Buffer
}

func startAgentDaemon(t *testing.T, ha bool, agentPort, webA, webB, extra string) agentDaemon {
	dir, bind := t.TempDir(), loopback.FreeAddr(t)
	path := filepath.Join(dir, "a.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`    timeout check 1s
frontend fe
    bind %s
    default_backend be
backend be
%s
    server s1 %s weight 50 agent-check agent-port %s agent-inter 100ms agent-send "hello\n"
    server s2 %s check inter 1s
`, dir, bind, extra, webA, agentPort, webB)), 0o644)
	d := agentDaemon{sock: filepath.Join(dir, "s.sock")}
	d.errs = runLogged(t, ha, path)
	loopback.WaitListen(t, bind)
	return d
}

// agentLines keeps a daemon's stderr lines about the backend, check
// durations blanked and repeated lines (counting agent rounds) once.
func agentLines(out string) []string {
	duration := regexp.MustCompile(`check duration: \d+ms`)
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		i := strings.Index(l, ") : ")
		if i < 0 || !strings.Contains(l, "be") {
			continue
		}
		l = duration.ReplaceAllString(l[i+4:], "check duration: Nms")
		if len(keep) > 0 && keep[len(keep)-1] == l {
			continue
		}
		keep = append(keep, l)
	}
	return keep
}

// With option log-health-checks, the agent's results are logged as
// HAProxy logs them ("Agent check for server ..."), and the transitions
// in their short form.
func TestAgentCheckLogHealthChecksMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	webA, webB := loopback.StartWeb(t, "webA"), loopback.StartWeb(t, "webB")
	agent := startFakeAgent(t)
	agent.set("up\n")
	_, agentPort, _ := net.SplitHostPort(agent.addr)
	ha := startAgentDaemon(t, true, agentPort, webA.Addr, webB.Addr, "    option log-health-checks")
	goha := startAgentDaemon(t, false, agentPort, webA.Addr, webB.Addr, "    option log-health-checks")
	for _, reply := range []string{"down\n", "up\n", "drain\n", "ready\n", "fail # gone\n", "up 50%\n"} {
		time.Sleep(400 * time.Millisecond)
		agent.set(reply)
	}
	time.Sleep(500 * time.Millisecond)
	// s2's own check lines come at their own pace: compare s1's
	only := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if !strings.Contains(l, "be/s2") {
				out = append(out, l)
			}
		}
		return out
	}
	h, g := only(agentLines(ha.errs.String())), only(agentLines(goha.errs.String()))
	if len(h) < 6 {
		t.Fatalf("haproxy logged only %q", h)
	}
	diffLines(t, "stderr", h, g)
}
