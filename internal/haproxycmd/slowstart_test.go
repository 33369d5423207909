package haproxycmd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// serverOptsDaemon runs backends (the text after a frontend routing to
// backend be) under haproxy or goha, with more defaults lines if any,
// and returns its stats socket, its stderr and the frontend's address.
func serverOptsDaemon(t *testing.T, ha bool, defaults, backends string) (string, *haproxytest.Buffer, string) {
	dir, bind := t.TempDir(), loopback.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket %s/s.sock level admin\ndefaults\n    mode http\n"+
		"    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n%s"+
		"frontend fe\n    bind %s\n    default_backend be\n%s", dir, defaults, bind, backends)
	path := filepath.Join(dir, "s.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	errs := runLogged(t, ha, path)
	loopback.WaitListen(t, bind)
	return filepath.Join(dir, "s.sock"), errs, bind
}

var slowstartCols = []string{"pxname", "svname", "status", "weight", "throttle", "uweight", "act", "bck"}

// `slowstart`: a server leaving maintenance ramps its weight up in
// sixteenths over whole seconds in a dynamic backend (roundrobin) and
// keeps its full weight in a static one (balance source), starting in
// both (`show servers state` op 1, throttle shown); at the end of the
// ramp it is running (op 2, lastchg restarts) and HAProxy logs it UP.
// Compared with HAProxy 2.6 right after `enable server`, during the ramp
// (the shape: HAProxy's steps, never going down) and after it.
func TestSlowstartMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	backends := fmt.Sprintf("backend be\n    server s1 %s weight 100 slowstart 3s\n    server s2 %s weight 37\n"+
		"backend bs\n    balance source\n    server s1 %s weight 100 slowstart 3s\n", web.Addr, web.Addr, web.Addr)
	haSock, haErrs, _ := serverOptsDaemon(t, true, "", backends)
	goSock, goErrs, _ := serverOptsDaemon(t, false, "", backends)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, haSock, cmd), haproxytest.StatsCmd(t, goSock, cmd)
	}
	compare := func(when string) {
		t.Helper()
		ha, goha := both("show stat")
		diffLines(t, when+": show stat", statColumns(t, ha, slowstartCols), statColumns(t, goha, slowstartCols))
		ha, goha = both("show servers state")
		if haproxytest.ServersState(ha) != haproxytest.ServersState(goha) {
			t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", when, haproxytest.ServersState(ha), haproxytest.ServersState(goha))
		}
	}
	both("disable server be/s1")
	both("disable server bs/s1")
	both("enable server be/s1")
	enabled := time.Now()
	both("enable server bs/s1")
	compare("at the start")

	// The ramp of s1 (weight 100, 3s): factors 1, 6, 11 of 16.
	steps := []string{"7", "38", "69"}
	last := map[string]int{}
	for time.Since(enabled) < 2500*time.Millisecond {
		time.Sleep(400 * time.Millisecond)
		ha, goha := both("show stat")
		for who, out := range map[string]string{"haproxy": ha, "goha": goha} {
			for _, row := range statColumns(t, out, slowstartCols) {
				if !strings.HasPrefix(row, "pxname=be svname=s1 ") {
					continue
				}
				w := strings.Fields(row[strings.Index(row, " weight="):])[0]
				w = strings.TrimPrefix(w, "weight=")
				n, _ := strconv.Atoi(w)
				if !slices.Contains(steps, w) || n < last[who] {
					t.Errorf("%s during the ramp: be/s1 weight %s (steps %v, last %d)", who, w, steps, last[who])
				}
				last[who] = n
			}
		}
	}
	if last["haproxy"] < 38 || last["goha"] < 38 {
		t.Errorf("the ramp never moved: %v", last)
	}
	time.Sleep(time.Until(enabled.Add(4300 * time.Millisecond))) // 3s and the next 1s tick
	compare("after the ramp")
	for _, sock := range []string{haSock, goSock} {
		for _, row := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"svname", "lastchg"}) {
			if strings.HasPrefix(row, "svname=s1 ") {
				if n, _ := strconv.Atoi(strings.TrimPrefix(strings.Fields(row)[1], "lastchg=")); n > 2 {
					t.Errorf("%s: lastchg %d after the ramp, want it restarted at its end", sock, n)
				}
			}
		}
	}
	diffLines(t, "stderr", observeLines(haErrs.String()), observeLines(goErrs.String()))
	if t.Failed() {
		t.Logf("haproxy:\n%s\ngoha:\n%s", haErrs, goErrs)
	}
}
