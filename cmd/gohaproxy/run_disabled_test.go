package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Servers with `disabled` (one checked, one not) and a checked server put
// into maintenance at runtime show in show stat and show servers state as
// in HAProxy 2.6: MAINT, the configured-maintenance flag (admin 5), the
// check paused (state 14: no check columns, health 0), never checked while
// disabled; after `enable server` an unchecked disabled server keeps the
// configured flag and its paused state (admin 4, state 8).
func TestDisabledServersMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var webs []*webServer
	for i := 1; i <= 3; i++ {
		webs = append(webs, startWeb(t, fmt.Sprintf("server%d", i)))
	}
	start := func(bin string) (string, string) {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "d.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /
    server s1 %s check inter 100ms
    server s2 %s check inter 100ms disabled
    server s3 %s disabled
`, dir, bind, webs[0].addr, webs[1].addr, webs[2].addr)), 0o644)
		cmd := exec.Command(bin, "-db", "-q", "-f", path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	_, haSock := start("haproxy")
	_, goSock := start(gohaproxyBin(t))
	time.Sleep(400 * time.Millisecond) // s1's first checks pass in both
	compare := func(step string, servers ...string) {
		t.Helper()
		wantRows, gotRows := statRows(statsCmd(t, haSock, "show stat")), statRows(statsCmd(t, goSock, "show stat"))
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
		want, got := settledState(t, haSock), settledState(t, goSock)
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
	for _, cmd := range []string{"disable server be/s1", "enable server be/s3"} {
		if a, b := statsCmd(t, haSock, cmd), statsCmd(t, goSock, cmd); a != b {
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
	w1, w2 := startWeb(t, "server1"), startWeb(t, "server2")
	steps := []string{"disable server be/s1", "set server be/s2 state drain", "set server be/s2 state ready",
		"enable server be/s1", "set server be/s1 state drain", "set server be/s1 state maint", "set server be/s1 state ready",
		"set server be/s1 weight 0", "set server be/s2 weight 0", "set server be/s2 weight 1", "set weight be/s2 0",
		"set server be/s1 weight 5"}
	run := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "e.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s check inter 100ms
    server s2 %s check inter 100ms
`, dir, bind, w1.addr, w2.addr)), 0o644)
		errPath := filepath.Join(dir, "stderr")
		stderr, err := os.Create(errPath)
		if err != nil {
			t.Fatal(err)
		}
		defer stderr.Close()
		cmd := exec.Command(bin, "-db", "-f", path)
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		waitListen(t, bind)
		time.Sleep(300 * time.Millisecond)
		for _, s := range steps {
			statsCmd(t, filepath.Join(dir, "s.sock"), s)
		}
		time.Sleep(100 * time.Millisecond)
		out, _ := os.ReadFile(errPath)
		return strings.ReplaceAll(string(out), fmt.Sprintf("(%d)", cmd.Process.Pid), "(PID)")
	}
	want, got := run("haproxy"), run(gohaproxyBin(t))
	if want != got {
		t.Errorf("stderr differs\nhaproxy:\n%s\ngoha:\n%s", want, got)
	}
	if !strings.Contains(got, "backend 'be' has no server available!") {
		t.Errorf("no backend alert in\n%s", got)
	}
}
