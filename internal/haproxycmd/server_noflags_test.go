package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// The server options that undo a default-server one (no-backup, enabled,
// no-check, no-agent-check), each alone and together, after a
// default-server line setting backup, disabled, check and agent-check
// with an agent answering "down": the same servers serve the requests
// (their names in the answers, in order), and show stat's state, check
// and agent columns and show servers state's rows are HAProxy's.
func TestServerNoFlagsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	agent := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { c.Write([]byte("down\n")) })
	_, agentPort, _ := net.SplitHostPort(agent)
	webs := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		webs[n] = loopback.StartWeb(t, n).Addr
	}
	lines := []string{
		"server a WEB_a no-backup enabled no-check no-agent-check",
		"server b WEB_b no-backup enabled no-agent-check",
		"server c WEB_c no-backup enabled no-check",
		"server d WEB_d enabled no-check no-agent-check",
		"server e WEB_e no-backup no-check no-agent-check",
		"server f WEB_f",
	}
	start := func(bin string) (front, sock string) {
		dir := t.TempDir()
		front = loopback.FreeAddr(t)
		cfg := fmt.Sprintf(adminHead, dir) + "    default-server backup disabled check inter 100ms rise 1 fall 1 agent-check agent-port " + agentPort + " agent-inter 100ms\n" +
			"frontend fe\n    bind " + front + "\n    default_backend be\nbackend be\n    balance roundrobin\n"
		for _, l := range lines {
			for n, a := range webs {
				l = strings.ReplaceAll(l, "WEB_"+n, a)
			}
			cfg += "    " + l + "\n"
		}
		startWithConfig(t, bin, cfg, front)
		return front, filepath.Join(dir, "s.sock")
	}
	haFront, haSock := start("haproxy")
	goFront, goSock := start(gohaproxy)
	time.Sleep(500 * time.Millisecond) // several checks and agent checks each
	served := func(front string) string {
		var got []string
		for i := 0; i < 6; i++ {
			got = append(got, body200(t, front))
		}
		return strings.Join(got, " ")
	}
	if h, g := served(haFront), served(goFront); h != g {
		t.Errorf("servers of 6 requests: haproxy %q, goha %q", h, g)
	} else {
		t.Logf("served by %s", h)
	}
	cols := []string{"svname", "status", "act", "bck", "check_status", "check_rise", "check_fall", "agent_status", "agent_health", "weight"}
	inProgress := regexp.MustCompile(`\* `)
	stat := func(sock string) []string {
		rows := statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), cols)
		for i := range rows {
			rows[i] = inProgress.ReplaceAllString(rows[i], "")
		}
		return rows
	}
	diffLines(t, "show stat", stat(haSock), stat(goSock))
	if h, g := haproxytest.SettledState(t, haSock), haproxytest.SettledState(t, goSock); h != g {
		t.Errorf("show servers state\nhaproxy:\n%s\ngoha:\n%s", h, g)
	}
}

// body200 is the body of the answer to GET / through front (its status
// line when it is not a 200).
func body200(t *testing.T, front string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", front, time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp.Status
	}
	b := make([]byte, 64)
	n, _ := resp.Body.Read(b)
	return strings.TrimSpace(string(b[:n]))
}

// `downinter`: a DOWN server is checked every downinter instead of inter
// (HAProxy's and goha's check connections counted over the same window,
// each against its own failing server), and without it at inter; a
// fastinter server in transition (fall 3) is checked at fastinter. The
// counts match within a margin (the machine is loaded), and the DOWN
// server with downinter is checked several times more than the one
// without.
func TestDowninterMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	// Each failing server accepts, counts the connection and answers a
	// 503 (option httpchk: a failed check).
	failing := func() (string, *atomic.Int32) {
		var n atomic.Int32
		addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			n.Add(1)
			c.SetDeadline(time.Now().Add(time.Second))
			if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				c.Write([]byte("HTTP/1.0 503 Service Unavailable\r\n\r\n"))
			}
		})
		return addr, &n
	}
	type server struct{ name, opts string }
	servers := []server{
		{"down_fast", "check inter 1s downinter 100ms rise 2 fall 1"},
		{"down_slow", "check inter 1s rise 2 fall 1"},
		{"fastinter", "check inter 1s fastinter 150ms rise 2 fall 100"},
	}
	counts := map[string]*atomic.Int32{}
	run := func(bin string) {
		front := loopback.FreeAddr(t)
		cfg := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n" +
			"frontend fe\n    bind " + front + "\n    default_backend be\nbackend be\n    option httpchk\n"
		for _, s := range servers {
			addr, n := failing()
			counts[bin+" "+s.name] = n
			cfg += "    server " + s.name + " " + addr + " " + s.opts + "\n"
		}
		startWithConfig(t, bin, cfg, front)
	}
	// Both at once: the same window for each.
	run("haproxy")
	run(gohaproxy)
	// The first checks are spread over inter: after 2.5 s every server
	// has failed at least once (DOWN, or in transition for fastinter).
	time.Sleep(2500 * time.Millisecond)
	for _, n := range counts {
		n.Store(0)
	}
	time.Sleep(1500 * time.Millisecond)
	got := map[string]int32{}
	for k, n := range counts {
		got[k] = n.Load()
	}
	for _, s := range servers {
		h, g := got["haproxy "+s.name], got[gohaproxy+" "+s.name]
		t.Logf("%s: haproxy %d checks, goha %d", s.name, h, g)
		lo, hi := h/2, h*2+2 // a loaded machine delays the checks of either
		if g < lo || g > hi {
			t.Errorf("%s: goha checked %d times in 1.5 s, haproxy %d", s.name, g, h)
		}
	}
	for _, bin := range []string{"haproxy", gohaproxy} {
		if f, s := got[bin+" down_fast"], got[bin+" down_slow"]; f < 4 || s > 2 {
			t.Errorf("%s: DOWN server with downinter 100ms checked %d times, without %d: downinter not applied", bin, f, s)
		}
	}
}

// The check health HAProxy shows for servers without check: their rise
// (from the server or default-server line, 0 when disabled), kept when
// their agent stops them or they are drained, rise+fall-1 after `set
// server ... health up`, 0 after `health down`: show servers state and
// show stat's status column, before and after the runtime commands.
func TestUncheckedHealthMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	agent := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { c.Write([]byte("\n")) })
	_, agentPort, _ := net.SplitHostPort(agent)
	web := loopback.StartWeb(t, "w").Addr
	start := func(bin string) string {
		dir := t.TempDir()
		front := loopback.FreeAddr(t)
		cfg := fmt.Sprintf(adminHead, dir) + "frontend fe\n    bind " + front + "\n    default_backend be\n" +
			"backend be\n    default-server rise 3 fall 4\n" +
			"    server c " + web + " agent-check agent-port " + agentPort + " agent-inter 100ms\n" +
			"    server d " + web + "\n    server e " + web + " rise 5\n    server f " + web + "\n" +
			"    server g " + web + " disabled\n    server h " + web + " disabled rise 4 enabled\n" +
			"backend be2\n    server i " + web + "\n    server j " + web + " fall 1\n"
		startWithConfig(t, bin, cfg, front)
		return filepath.Join(dir, "s.sock")
	}
	haSock, goSock := start("haproxy"), start(gohaproxy)
	time.Sleep(300 * time.Millisecond) // the agent answered
	view := func(sock string) string {
		rows := statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "status"})
		return haproxytest.ServersState(haproxytest.StatsCmd(t, sock, "show servers state")) + "\n" + strings.Join(rows, "\n")
	}
	if h, g := view(haSock), view(goSock); h != g {
		t.Errorf("at start\nhaproxy:\n%s\ngoha:\n%s", h, g)
	}
	for _, cmd := range []string{"set server be/c agent down", "set server be/d health up", "set server be/e state drain",
		"set server be/f health down", "set server be2/j health up", "set server be/h state maint", "set server be/h state ready"} {
		for _, sock := range []string{haSock, goSock} {
			haproxytest.StatsCmd(t, sock, cmd)
		}
	}
	if h, g := view(haSock), view(goSock); h != g {
		t.Errorf("after the runtime commands\nhaproxy:\n%s\ngoha:\n%s", h, g)
	} else {
		t.Logf("after the runtime commands:\n%s", h)
	}
}
