package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// runtimePair is one configuration under haproxy and in this process,
// with both daemons' stderr.
type runtimePair struct {
	haBind, goBind, haTCP, goTCP string
	haSock, goSock               string
	haErr, goErr                 *haproxytest.Buffer
	w                            *worker
	webB                         string
}

// startRuntimePair runs a frontend over a backend with a dead checked
// server (first: HAProxy spreads the first checks over the longest
// interval), a checked server (web A, checked slowly so a forced health
// stays put while the test looks), an unchecked backup, and a tcp listen
// section; web B is where `set server ... addr` moves s1.
func startRuntimePair(t *testing.T) runtimePair {
	testenv.LookPath(t, "haproxy")
	webA, webB := loopback.StartWeb(t, "webA"), loopback.StartWeb(t, "webB")
	dead := loopback.DeadAddr(t)
	var p runtimePair
	p.webB = webB.Addr
	start := func(ha bool) (bind, tcp, sock string, errs *haproxytest.Buffer) {
		dir, bind, tcp := t.TempDir(), loopback.FreeAddr(t), loopback.FreeAddr(t)
		path := filepath.Join(dir, "r.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %s/s.sock level admin
    maxconn 500
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 2s
frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /
    server s2 %s check inter 200ms
    server s1 %s check inter 10s
    server s3 %s backup
listen tcpl
    mode tcp
    bind %s
    server t1 %s
`, dir, bind, dead, webA.Addr, webA.Addr, tcp, webA.Addr)), 0o644)
		if ha {
			errs = &haproxytest.Buffer{}
			cmd := exec.Command("haproxy", "-db", "-f", path)
			cmd.Stderr = errs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		} else {
			p.w, errs = inProcess(t, path, false)
		}
		loopback.WaitListen(t, bind)
		loopback.WaitListen(t, tcp)
		return bind, tcp, filepath.Join(dir, "s.sock"), errs
	}
	p.haBind, p.haTCP, p.haSock, p.haErr = start(true)
	p.goBind, p.goTCP, p.goSock, p.goErr = start(false)
	time.Sleep(1200 * time.Millisecond) // s2's checks fail: DOWN on both
	return p
}

func (p runtimePair) both(t *testing.T, cmd string) (string, string) {
	return haproxytest.StatsCmd(t, p.haSock, cmd), haproxytest.StatsCmd(t, p.goSock, cmd)
}

func (p runtimePair) same(t *testing.T, cmds ...string) {
	t.Helper()
	for _, cmd := range cmds {
		if ha, goha := p.both(t, cmd); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
		}
	}
}

// The answers of `set maxconn`, `set rate-limit`, `set server ...
// addr|check-port|health|agent*|fqdn`, `show servers conn` and `show
// resolvers`, byte for byte, errors included.
func TestRuntimeCommandAnswersMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	p.same(t,
		"set server be/s1 addr", "set server be/s1 addr foo", "set server be/s1 addr localhost port 80",
		"set server be/s1 addr 127.0.0.1", "set server be/s1 addr 127.0.0.1 port abc", "set server be/s1 addr 127.0.0.1 port",
		"set server be/s1 addr 127.0.0.1 port +5", "set server be/s1 addr 127.0.0.1 foo 1",
		"set server be/s1 check-port", "set server be/s1 check-port abc", "set server be/s1 check-port 70000",
		"set server be/s3 check-port 80", "set server be/s3 check-port abc", "set server be/s1 check-addr",
		"set server be/s1 check-addr foo", "set server be/s3 check-addr 127.0.0.1", "set server be/s1 check-addr 127.0.0.1 port abc",
		"set server be/s1 check-addr 127.0.0.1 port 70000", "set server be/s1 check-addr 127.0.0.2 port 5",
	)
	if ha, goha := p.both(t, "show servers state be"); haproxytest.ServersState(ha) != haproxytest.ServersState(goha) {
		t.Errorf("show servers state after check-addr\nhaproxy %s\n   goha %s", ha, goha)
	}
	p.same(t,
		"set server be/s1 check-addr ::1", "set server be/s1 check-port 0",
		"set server be/s1 check-addr 127.0.0.1 port 0",
		"set server be/s1 agent up", "set server be/s1 agent", "set server be/s1 agent-addr 127.0.0.1",
		"set server be/s1 agent-port 5000", "set server be/s1 agent-send foo",
		"set server be/s1 health", "set server be/s1 health foo", "set server be/nosuch health up", "set server nosuch/s1 health up",
		"set server be/s1 fqdn", "set server be/s1 fqdn foo.example",
		"operator; set server be/s1 health up",
		"set maxconn", "set maxconn server be/s1", "set maxconn server be/s1 abc", "set maxconn server be/s1 5x",
		"set maxconn server be", "set maxconn server be/nosuch 3", "set maxconn server nosuch/s1 3",
		"set maxconn frontend", "set maxconn frontend be 3", "set maxconn frontend nosuch 3", "set maxconn frontend fe",
		"set maxconn frontend fe -3", "set maxconn global", "set maxconn global 100000", "operator; set maxconn global 10",
		"set rate-limit", "set rate-limit connections", "set rate-limit connections global",
		"set rate-limit connections global -1", "set rate-limit connections global 0", "set rate-limit sessions global 0",
		"set rate-limit ssl-sessions global 0", "set rate-limit http-compression global -1",
		"set rate-limit http-compression global 10", "set rate-limit connections frontend 3",
		"show servers conn nosuch", "show resolvers nosuch", "show resolvers", "show resolvers default",
	)
	// goha's help lists only what it implements, each line as HAProxy's
	for _, cmd := range []string{"help set", "help show"} {
		ha, goha := p.both(t, cmd)
		for _, l := range strings.Split(goha, "\n") {
			if !strings.Contains(ha, l+"\n") {
				t.Errorf("%s: goha's line %q is not HAProxy's", cmd, l)
			}
		}
	}
	// the limits, as show info and show stat report them
	p.same(t, "set maxconn global 12abc", "set maxconn server be/s2 3", "set maxconn server be/s1 -2",
		"set maxconn frontend tcpl 9", "set maxconn frontend fe 33x")
	for _, f := range []string{"Maxconn", "Hard_maxconn", "CompressBpsRateLim"} {
		if ha, goha := haproxytest.ShowInfoField(t, p.haSock, f), haproxytest.ShowInfoField(t, p.goSock, f); ha != goha {
			t.Errorf("show info %s: haproxy %q goha %q", f, ha, goha)
		}
	}
	ha, goha := p.both(t, "show stat")
	cols := []string{"pxname", "svname", "slim", "status"}
	diffLines(t, "show stat slim", statColumns(t, ha, cols), statColumns(t, goha, cols))
	p.same(t, "set maxconn global 0")
	if ha, goha := haproxytest.ShowInfoField(t, p.haSock, "Maxconn"), haproxytest.ShowInfoField(t, p.goSock, "Maxconn"); ha != goha || goha != "500" {
		t.Errorf("set maxconn global 0: haproxy %q goha %q, want the hard maxconn", ha, goha)
	}
}

// `show servers conn` has HAProxy's layout and figures once both daemons
// served the same requests.
func TestShowServersConnMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	for i := 0; i < 2; i++ {
		loopback.Get(t, p.haBind)
		loopback.Get(t, p.goBind)
	}
	for _, cmd := range []string{"show servers conn", "show servers conn be", "show servers conn tcpl"} {
		ha, goha := p.both(t, cmd)
		diffLines(t, cmd, serversConnRows(ha), serversConnRows(goha))
	}
}

// serversConnRows keeps what both daemons must agree on: names, ids,
// addresses, purge delay, current use and the idle limit. Not compared:
// used_max and need_est, which HAProxy's idle-connection task recomputes
// every purge delay, and the idle counts, which follow each one's reuse
// (HAProxy's http-reuse safe opens a new server connection for a new
// client where goha reuses the idle one; its pools are per thread).
func serversConnRows(out string) []string {
	var rows []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Fields(l)
		if len(f) > 8 && !strings.HasPrefix(l, "#") {
			f = append(f[:7], f[11]) // idle_lim
		} else if len(f) > 15 {
			f[15] = "idle_per_thr[n]"
		}
		rows = append(rows, strings.Join(f, " "))
	}
	return rows
}

// `set server B/S health` forces the state as HAProxy does: the same
// "changed from CLI" lines on stderr and the same show stat status after
// each step (a checked server and an unchecked backup).
func TestSetServerHealthMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	cols := []string{"pxname", "svname", "status", "act", "bck"}
	for _, cmd := range []string{"set server be/s3 health down", "set server be/s3 health stopping", "set server be/s3 health up",
		"set server be/s1 health stopping", "set server be/s1 health stopping", "set server be/s1 health down",
		"set server be/s3 health down", "set server be/s1 health up", "set server be/s3 health up"} {
		p.same(t, cmd)
		ha, goha := p.both(t, "show stat")
		diffLines(t, "show stat after "+cmd, statColumns(t, ha, cols), statColumns(t, goha, cols))
	}
	if ha, goha := haproxytest.SettledState(t, p.haSock), haproxytest.SettledState(t, p.goSock); ha != goha {
		t.Errorf("show servers state after the health changes\nhaproxy %s\n   goha %s", ha, goha)
	}
	time.Sleep(100 * time.Millisecond)
	pick := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "changed from CLI") || strings.Contains(l, "no server available") {
				keep = append(keep, l[strings.Index(l, ":")+2:])
			}
		}
		return keep
	}
	ha, goha := pick(p.haErr.String()), pick(p.goErr.String())
	if len(ha) < 6 {
		t.Fatalf("haproxy logged only %q", ha)
	}
	diffLines(t, "stderr", ha, goha)
}

// `set server B/S addr` answers as HAProxy and moves the traffic: the
// next request reaches web B on both; the check follows the server.
func TestSetServerAddrMovesTraffic(t *testing.T) {
	p := startRuntimePair(t)
	host, port, _ := net.SplitHostPort(p.webB)
	for name, bind := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if got := loopback.Get(t, bind); got != "200 webA" {
			t.Fatalf("%s before: %q", name, got)
		}
	}
	p.same(t, "set server be/s1 addr "+host+" port "+port, "set server be/s1 addr "+host+" port "+port)
	for name, bind := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if got := loopback.Get(t, bind); got != "200 webB" {
			t.Errorf("%s after set server addr: %q, want web B", name, got)
		}
	}
	ha, goha := p.both(t, "show servers state be")
	if haproxytest.ServersState(ha) != haproxytest.ServersState(goha) {
		t.Errorf("show servers state\nhaproxy %s\n   goha %s", ha, goha)
	}
	if got, _ := p.w.checks.Addr("be", "s1"); got != p.webB {
		t.Errorf("s1's check connects to %s, want web B %s", got, p.webB)
	}
	p.same(t, "set server be/s1 check-port 1")
	if got, _ := p.w.checks.Addr("be", "s1"); got != host+":1" {
		t.Errorf("after check-port 1 s1's check connects to %s", got)
	}
	p.same(t, "set server be/s1 check-port 0")
	if got, _ := p.w.checks.Addr("be", "s1"); got != p.webB {
		t.Errorf("after check-port 0 s1's check connects to %s, want the server's address", got)
	}
}

// `set maxconn frontend` and `set maxconn server` apply at once on both:
// at 1, a second client of the tcp listen section waits until the first
// leaves; raised again, clients are served at once.
func TestSetMaxconnFrontendLimits(t *testing.T) {
	p := startRuntimePair(t)
	defer func() {
		// Once in a CI run HAProxy stopped answering (its CLI empty, its
		// port refused) after `set maxconn frontend tcpl 1`: keep what it
		// said for the next look.
		if t.Failed() {
			t.Logf("haproxy's stderr:\n%s", p.haErr.String())
		}
	}()
	p.same(t, "set maxconn frontend tcpl 1")
	oneAtATime(t, p)
	// HAProxy 2.6.12 deadlocks (its watchdog kills it) when maxconn is
	// raised while the listener still waits in the frontend's queue
	// (haproxy/haproxy#2726, fixed after 2.6): seen twice in CI, when the
	// command came before HAProxy had ended the last client's session.
	// Raise it once the frontend is idle, as the test means to.
	waitFrontendIdle(t, p, "tcpl")
	p.same(t, "set maxconn frontend tcpl 10")
	for name, addr := range map[string]string{"haproxy": p.haTCP, "goha": p.goTCP} {
		a, b := keepAliveGet(t, addr), keepAliveGet(t, addr)
		if a == nil || b == nil {
			t.Errorf("%s: two clients not served at maxconn 10", name)
		}
		for _, c := range []net.Conn{a, b} {
			if c != nil {
				c.Close()
			}
		}
	}
	// the same with the server's maxconn: the second client waits in the
	// queue (less than timeout connect, HAProxy's queue timeout here)
	p.same(t, "set maxconn server tcpl/t1 1")
	oneAtATime(t, p)
}

// oneAtATime checks that a second client of the tcp listen section is not
// served while the first holds its connection, and is once it leaves.
func oneAtATime(t *testing.T, p runtimePair) {
	t.Helper()
	for name, addr := range map[string]string{"haproxy": p.haTCP, "goha": p.goTCP} {
		first := keepAliveGet(t, addr)
		second, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(second, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(second)
		second.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := br.ReadString('\n'); err == nil {
			t.Errorf("%s: a second client was served beyond maxconn 1", name)
		}
		first.Close()
		second.SetReadDeadline(time.Now().Add(3 * time.Second))
		if l, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(l, "HTTP/1.1 200") {
			t.Errorf("%s: once the first left, the second got %q %v", name, l, err)
		}
		second.Close()
	}
}

// waitFrontendIdle waits (3 s at most) until HAProxy's frontend fe has no
// session left (scur 0 in show stat).
func waitFrontendIdle(t *testing.T, p runtimePair, fe string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ha, _ := p.both(t, "show stat")
		for _, line := range strings.Split(ha, "\n") {
			if f := strings.Split(line, ","); len(f) > 4 && f[0] == fe && f[1] == "FRONTEND" && f[4] == "0" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy's frontend %s still has sessions:\n%s", fe, ha)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// keepAliveGet sends one request on a new connection, reads the answer's
// status line and leaves the connection open.
func keepAliveGet(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if l, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(l, "HTTP/1.1 200") {
		t.Errorf("first client got %q %v", l, err)
		c.Close()
		return nil
	}
	return c
}

// `shutdown sessions server` answers as HAProxy and closes the client
// connections going through that server on both.
func TestShutdownSessionsServerMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	p.same(t, "shutdown sessions server", "shutdown sessions server tcpl", "shutdown sessions server tcpl/nosuch",
		"shutdown sessions server nosuch/t1", "operator; shutdown sessions server tcpl/t1", "shutdown sessions")
	conns := map[string]net.Conn{"haproxy": keepAliveGet(t, p.haTCP), "goha": keepAliveGet(t, p.goTCP)}
	p.same(t, "shutdown sessions server be/s1") // not the server these use
	for name, c := range conns {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
			t.Errorf("%s: a session on another server was closed: %v", name, err)
		}
	}
	p.same(t, "shutdown sessions server tcpl/t1")
	for name, c := range conns {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Errorf("%s: the session through tcpl/t1 is still open: %v", name, err)
		}
		c.Close()
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
