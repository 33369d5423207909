package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestReloadKeepsServerStateMatchesHAProxy is the reload operators run
// (`show servers state` saved to the server-state-file in ExecReload, then
// SIGUSR2 to the master), on HAProxy 2.6 and gohaproxy side by side: a
// server put in maintenance, one drained and a weight set at run time
// survive the reload in both, and the new workers' show servers state and
// traffic match. goha's second generation also reads HAProxy's file.
func TestReloadKeepsServerStateMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	type daemon struct {
		name, sock, state, bind string
		m                       *pmProc
	}
	start := func(name, exe string) *daemon {
		d := &daemon{name: name, sock: filepath.Join(dir, name+".sock"), state: filepath.Join(dir, name+".state"), bind: loopback.FreeAddr(t)}
		cfg := filepath.Join(dir, name+".cfg")
		pmConfig(t, cfg, d.bind, be.addr, fmt.Sprintf("    master-worker\n    stats socket %s level admin\n    server-state-file %s", d.sock, d.state))
		text := strings.Replace(string(mustRead(t, cfg)), "    timeout server 30s\n", "    timeout server 30s\n    load-server-state-from-file global\n", 1)
		text = strings.Replace(text, "    server s1 "+be.addr+"\n", fmt.Sprintf("    server s1 %[1]s\n    server s2 %[1]s\n    server s3 %[1]s\n", be.addr), 1)
		os.WriteFile(cfg, []byte(text), 0o644)
		d.m = startPM(t, exe, nil, nil, "-db", "-f", cfg)
		waitServing(t, d.bind)
		return d
	}
	ha, goha := start("haproxy", "haproxy"), start("goha", bin)
	pids := map[*daemon]string{}
	for _, d := range []*daemon{ha, goha} {
		pids[d] = haproxytest.ShowInfoField(t, d.sock, "Pid")
		for _, c := range []string{"disable server be/s1", "set server be/s2 state drain", "set weight be/s3 5"} {
			haproxytest.StatsCmd(t, d.sock, c)
		}
		// ExecReload: save the states, then reload
		os.WriteFile(d.state, []byte(haproxytest.StatsCmd(t, d.sock, "show servers state")), 0o644)
		d.m.cmd.Process.Signal(syscall.SIGUSR2)
	}
	for _, d := range []*daemon{ha, goha} {
		deadline := time.Now().Add(10 * time.Second)
		re := regexp.MustCompile(`Loading success`)
		for len(re.FindAllString(d.m.stderr.String(), -1)) < 2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := len(re.FindAllString(d.m.stderr.String(), -1)); n < 2 {
			t.Fatalf("%s did not reload:\n%s", d.name, d.m.stderr)
		}
		waitServing(t, d.bind)
	}
	// the new worker answers the socket once it has bound it again
	settled := func(d *daemon) string {
		t.Helper()
		for i := 0; i < 250 && haproxytest.ShowInfoField(t, d.sock, "Pid") == pids[d]; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		if haproxytest.ShowInfoField(t, d.sock, "Pid") == pids[d] {
			t.Fatalf("%s: the old worker still answers", d.name)
		}
		pids[d] = haproxytest.ShowInfoField(t, d.sock, "Pid")
		return haproxytest.ServersState(haproxytest.StatsCmd(t, d.sock, "show servers state"))
	}
	h, g := settled(ha), settled(goha)
	if h != g {
		t.Errorf("show servers state after the reload\nhaproxy %s\n   goha %s", h, g)
	}
	hl := strings.ReplaceAll(stateLines(ha.m.stderr.String()), "haproxy.state", "goha.state")
	if gl := stateLines(goha.m.stderr.String()); hl != gl {
		t.Errorf("the reload's lines\nhaproxy %s\n   goha %s", hl, gl)
	}
	if !strings.Contains(g, "be 1 s1 127.0.0.1 0 1 ") || !strings.Contains(g, " be 2 s2 127.0.0.1 2 8 ") || !strings.Contains(g, " be 3 s3 127.0.0.1 2 0 5 1 ") {
		t.Errorf("goha lost the run-time states over the reload:\n%s", g)
	}
	// goha's new worker reading HAProxy's file (an operator swapping the
	// binary at a reload)
	os.WriteFile(goha.state, mustRead(t, ha.state), 0o644)
	goha.m.cmd.Process.Signal(syscall.SIGUSR2)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(goha.m.stderr.String(), "Loading success") < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := settled(goha); g != h {
		t.Errorf("goha reading HAProxy's file\nhaproxy %s\n   goha %s", h, g)
	}
	if strings.Contains(goha.m.stderr.String(), "ALERT") {
		t.Errorf("goha alerts:\n%s", goha.m.stderr)
	}
}

// stateLines are a master's "config : " lines, without the pids.
func stateLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, ") : config : "); ok {
			keep = append(keep, rest)
		}
	}
	return strings.Join(keep, "\n")
}
