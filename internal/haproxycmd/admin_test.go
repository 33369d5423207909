package haproxycmd

import (
	"fmt"
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

// Servers with `disabled` (one checked, one not) and a checked server put
// into maintenance at runtime show in show stat and show servers state as
// in HAProxy 2.6: MAINT, the configured-maintenance flag (admin 5), the
// check paused (state 14: no check columns, health 0), never checked while
// disabled; after `enable server` an unchecked disabled server keeps the
// configured flag and its paused state (admin 4, state 8).
//
// s1 checks every 2 s: both daemons run its first check at start-up, so
// no check is under way when it is disabled 0.4 s later. A check under
// way then would end in maintenance and leave health 1 (HAProxy counts
// it: TestMaintDuringCheckMatchesHAProxy), in whichever daemon it ran,
// which with inter 100ms differed about one run in ten.
func TestDisabledServersMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var webs []*loopback.Web
	for i := 1; i <= 3; i++ {
		webs = append(webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)))
	}
	start := func(bin string) (string, string) {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "d.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /
    server s1 %s check inter 2s
    server s2 %s check inter 2s disabled
    server s3 %s disabled
`, dir, bind, webs[0].Addr, webs[1].Addr, webs[2].Addr)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	_, haSock := start("haproxy")
	_, goSock := start(gohaproxy)
	time.Sleep(400 * time.Millisecond) // s1's first check passed in both, the next is 2 s away
	compare := func(step string, servers ...string) {
		t.Helper()
		wantRows, gotRows := haproxytest.StatRows(haproxytest.StatsCmd(t, haSock, "show stat")), haproxytest.StatRows(haproxytest.StatsCmd(t, goSock, "show stat"))
		for _, s := range servers {
			var w, g string
			for _, r := range wantRows {
				if strings.HasPrefix(r, "pxname=be svname="+s+" ") {
					w = r
				}
			}
			for _, r := range gotRows {
				if strings.HasPrefix(r, "pxname=be svname="+s+" ") {
					g = r
				}
			}
			if w == "" || w != g {
				t.Errorf("%s: show stat of %s\nhaproxy %s\n   goha %s", step, s, w, g)
			}
		}
		want, got := haproxytest.SettledState(t, haSock), haproxytest.SettledState(t, goSock)
		for _, s := range servers {
			var w, g string
			for _, l := range strings.Split(want, "\n") {
				if strings.Fields(l)[3] == s {
					w = l
				}
			}
			for _, l := range strings.Split(got, "\n") {
				if strings.Fields(l)[3] == s {
					g = l
				}
			}
			if w == "" || w != g {
				t.Errorf("%s: show servers state of %s\nhaproxy %s\n   goha %s", step, s, w, g)
			}
		}
	}
	compare("start", "s1", "s2", "s3")
	for _, l := range strings.Split(haproxytest.SettledState(t, haSock), "\n") {
		if f := strings.Fields(l); f[3] == "s1" && f[10] != "15" {
			t.Fatalf("s1 not checked yet (check status %s, want 15 L7OK): the test's timing premise fails", f[10])
		}
	}
	for _, cmd := range []string{"disable server be/s1", "enable server be/s3"} {
		if a, b := haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd); a != b {
			t.Errorf("%s: haproxy answered %q, goha %q", cmd, a, b)
		}
	}
	compare("after disable s1, enable s3", "s1", "s2", "s3")
}

// The runtime API's state and weight changes print HAProxy's messages in
// HAProxy's order: maintenance, drain, back to ready, and the backend
// alert when maintenance or a zero weight takes its last usable server.
func TestAdminEventsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	w1, w2 := loopback.StartWeb(t, "server1"), loopback.StartWeb(t, "server2")
	steps := []string{"disable server be/s1", "set server be/s2 state drain", "set server be/s2 state ready",
		"enable server be/s1", "set server be/s1 state drain", "set server be/s1 state maint", "set server be/s1 state ready",
		"set server be/s1 weight 0", "set server be/s2 weight 0", "set server be/s2 weight 1", "set weight be/s2 0",
		"set server be/s1 weight 5"}
	run := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "e.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s check inter 100ms
    server s2 %s check inter 100ms
`, dir, bind, w1.Addr, w2.Addr)), 0o644)
		var pid int
		var stderr func() string
		if bin == gohaproxy {
			_, buf := inProcess(t, path, false) // gohaproxy -db -f path
			pid, stderr = os.Getpid(), buf.String
		} else {
			errPath := filepath.Join(dir, "stderr")
			f, err := os.Create(errPath)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := exec.Command(bin, "-db", "-f", path)
			cmd.Stderr = f
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			pid, stderr = cmd.Process.Pid, func() string { b, _ := os.ReadFile(errPath); return string(b) }
		}
		loopback.WaitListen(t, bind)
		time.Sleep(300 * time.Millisecond)
		for _, s := range steps {
			haproxytest.StatsCmd(t, filepath.Join(dir, "s.sock"), s)
		}
		time.Sleep(100 * time.Millisecond)
		return strings.ReplaceAll(stderr(), fmt.Sprintf("(%d)", pid), "(PID)")
	}
	want, got := run("haproxy"), run(gohaproxy)
	if want != got {
		t.Errorf("stderr differs\nhaproxy:\n%s\ngoha:\n%s", want, got)
	}
	if !strings.Contains(got, "backend 'be' has no server available!") {
		t.Errorf("no backend alert in\n%s", got)
	}
}

// Runtime API changes (drain, maintenance, weight, back to ready) leave
// show stat and show servers state as they leave HAProxy's.
func TestAdminCommandsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var webs []*loopback.Web
	for i := 1; i <= 3; i++ {
		webs = append(webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)))
	}
	cfgFor := func(dir, bind string) string {
		return fmt.Sprintf(adminHead+`frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s check inter 100ms weight 10
    server s2 %s check inter 100ms
    server s3 %s backup
`, dir, bind, webs[0].Addr, webs[1].Addr, webs[2].Addr)
	}
	start := func(bin string) (string, string) {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "a.cfg")
		os.WriteFile(path, []byte(cfgFor(dir, bind)), 0o644)
		if bin == gohaproxy {
			inProcess(t, path, false) // gohaproxy -db -f path
		} else {
			cmd := exec.Command(bin, "-db", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	_, haSock := start("haproxy")
	_, goSock := start(gohaproxy)
	time.Sleep(400 * time.Millisecond)
	steps := []string{"", "set server be/s1 state drain", "disable server be/s2", "set server be/s1 weight 5",
		"enable server be/s2", "set server be/s1 state ready", "set server be/s2 state maint", "set weight be/s1 50%"}
	for _, cmd := range steps {
		if cmd != "" {
			if a, b := haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd); a != b {
				t.Errorf("%s: haproxy answered %q, goha %q", cmd, a, b)
			}
		}
		w, g := noCheckCols(haproxytest.StatRows(haproxytest.StatsCmd(t, haSock, "show stat"))), noCheckCols(haproxytest.StatRows(haproxytest.StatsCmd(t, goSock, "show stat")))
		for i := range w {
			if i >= len(g) || w[i] != g[i] {
				t.Errorf("after %q, show stat row %d\nhaproxy %s\n   goha %s", cmd, i, w[i], g[min(i, len(g)-1)])
			}
		}
		if w, g := noCheckFields(haproxytest.ServersState(haproxytest.StatsCmd(t, haSock, "show servers state"))), noCheckFields(haproxytest.ServersState(haproxytest.StatsCmd(t, goSock, "show servers state"))); w != g {
			t.Errorf("after %q, show servers state\nhaproxy:\n%s\ngoha:\n%s", cmd, w, g)
		}
	}
}

// Known difference: both pause a server's check in maintenance (no check
// columns, health 0; TestDisabledServersMatchHAProxy compares that) and
// restart it at health = rise ("UP 1/3") when the server leaves
// maintenance, but HAProxy runs the next check at its usual interval while
// proxy/check's runner checks at once, so right after `enable server` the
// health differs for a moment. The admin comparison leaves the check
// columns out.
func noCheckCols(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		var keep []string
		for _, f := range strings.Fields(r) {
			// "status=UP 1/3" splits in two: keep "status=UP" only.
			if strings.HasPrefix(f, "check_") || !strings.Contains(f, "=") {
				continue
			}
			keep = append(keep, f)
		}
		out[i] = strings.Join(keep, " ")
	}
	return out
}

func noCheckFields(state string) string {
	var out []string
	for _, l := range strings.Split(state, "\n") {
		f := strings.Fields(l)
		if len(f) > 13 {
			f[10], f[11], f[12], f[13] = "-", "-", "-", "-"
		}
		out = append(out, strings.Join(f, " "))
	}
	return strings.Join(out, "\n")
}
