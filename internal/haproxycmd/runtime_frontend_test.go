package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// `disable frontend` pauses the listeners (new connections are refused;
// show stat says PAUSED) and `enable frontend` resumes them on the same
// sockets, with HAProxy 2.6's answers for every case.
func TestDisableEnableFrontendMatchHAProxy(t *testing.T) {
	p := startFormatsPair(t)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, p.haSock, cmd), haproxytest.StatsCmd(t, p.goSock, cmd)
	}
	same := func(cmd string) {
		t.Helper()
		if ha, goha := both(cmd); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
		}
	}
	for _, cmd := range []string{"disable frontend", "disable frontend nosuch", "disable frontend be", "operator; disable frontend fe",
		"enable frontend fe", "disable frontend fe", "disable frontend fe", "disable frontend tcpl", "enable frontend tcpl"} {
		same(cmd)
	}
	cols := []string{"pxname", "svname", "status"}
	ha, goha := both("show stat")
	diffLines(t, "show stat while paused", statColumns(t, ha, cols), statColumns(t, goha, cols))
	if !strings.Contains(goha, "fe,FRONTEND,") || !strings.Contains(strings.Join(statColumns(t, goha, cols), "\n"), "svname=FRONTEND status=PAUSED") {
		t.Errorf("goha's frontend is not PAUSED:\n%s", goha)
	}
	for name, addr := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s accepted a connection while paused", name)
		}
	}
	same("enable frontend fe")
	same("enable frontend fe")
	for name, addr := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if st := loopback.Get(t, addr); !strings.Contains(st, "web") {
			t.Errorf("%s: after enable frontend a request got %q", name, st)
		}
	}
	ha, goha = both("show stat")
	diffLines(t, "show stat after enable", statColumns(t, ha, cols), statColumns(t, goha, cols))
}

// `disable frontend` and `enable frontend` print HAProxy's warnings on
// stderr ("Paused frontend fe.", a listen section being a "proxy").
func TestPauseWarningsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	cfg := func(dir string) string {
		return fmt.Sprintf(adminHead+`frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
listen l
    bind %s
    server s1 %s
`, dir, loopback.FreeAddr(t), web.Addr, loopback.FreeAddr(t), web.Addr)
	}
	haDir, goDir := t.TempDir(), t.TempDir()
	haPath, goPath := filepath.Join(haDir, "p.cfg"), filepath.Join(goDir, "p.cfg")
	os.WriteFile(haPath, []byte(cfg(haDir)), 0o644)
	os.WriteFile(goPath, []byte(cfg(goDir)), 0o644)
	haErr := &haproxytest.Buffer{}
	cmd := exec.Command("haproxy", "-db", "-f", haPath)
	cmd.Stderr = haErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	_, goErr := inProcess(t, goPath, false)
	for _, c := range []string{"disable frontend fe", "disable frontend l", "enable frontend fe", "enable frontend l", "shutdown frontend l"} {
		haproxytest.StatsCmd(t, filepath.Join(haDir, "s.sock"), c)
		haproxytest.StatsCmd(t, filepath.Join(goDir, "s.sock"), c)
	}
	time.Sleep(100 * time.Millisecond)
	pid := regexp.MustCompile(`\(\d+\)`)
	pick := func(out string) string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "Paused") || strings.Contains(l, "Resumed") || strings.Contains(l, "stopped") {
				keep = append(keep, pid.ReplaceAllString(l, "(pid)"))
			}
		}
		return strings.Join(keep, "\n")
	}
	if ha, goha := pick(haErr.String()), pick(goErr.String()); ha != goha || ha == "" {
		t.Errorf("stderr\nhaproxy:\n%s\ngoha:\n%s", ha, goha)
	}
}
