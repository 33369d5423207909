package haproxycmd

import (
	"fmt"
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

// TestHatop: Debian's hatop, a real client of the stats socket, runs
// against gohaproxy as against HAProxy (it refused to start on an empty
// Release_date). It is driven in a detached tmux session and its screen
// read with capture-pane; both proxies must show the same proxies, servers
// and states.
func TestHatop(t *testing.T) {
	hatop := testenv.LookPath(t, "hatop")
	tmux := testenv.LookPath(t, "tmux")
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	var screens []string
	for i, bin := range []string{gohaproxy, haproxy} {
		dir := t.TempDir()
		sock := filepath.Join(dir, "s.sock")
		bind := loopback.FreeAddr(t)
		cfg := fmt.Sprintf("global\n stats socket %s level admin\ndefaults\n mode http\n timeout client 5s\n timeout server 5s\n timeout connect 1s\n"+
			"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 %s\n server s2 127.0.0.1:1 disabled\n", sock, bind, web.Addr)
		startWithConfig(t, bin, cfg, bind)
		haproxytest.StatsCmd(t, sock, "show info") // the socket is up
		session := fmt.Sprintf("goha-hatop-%d-%d", os.Getpid(), i)
		if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "30",
			hatop+" -s "+sock+"; sleep 30").CombinedOutput(); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", session).Run() })
		var screen string
		for try := 0; try < 50; try++ {
			time.Sleep(100 * time.Millisecond)
			out, _ := exec.Command(tmux, "capture-pane", "-t", session, "-p").Output()
			if screen = string(out); strings.Contains(screen, "BACKEND") {
				break
			}
		}
		if !strings.Contains(screen, "HAProxy Version: 2.6.12") || !strings.Contains(screen, "BACKEND") {
			t.Fatalf("%s: hatop did not show the status screen:\n%s", bin, screen)
		}
		screens = append(screens, statusRows(screen))
	}
	t.Logf("status rows:\n%s", screens[0])
	if screens[0] == "" || screens[0] != screens[1] {
		t.Errorf("hatop's status rows differ\ngohaproxy:\n%s\nhaproxy:\n%s", screens[0], screens[1])
	}
}

// statusRows keeps the proxy and server rows of hatop's status screen,
// name, weight, status and check columns only (counters and limits vary).
func statusRows(screen string) string {
	row := regexp.MustCompile(`^(>>> \S+|(\S+)\s+(\d+)\s+(\S+)\s+(\S+))`)
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		if m := row.FindString(l); m != "" && !strings.HasPrefix(l, "NAME") {
			out = append(out, strings.Join(strings.Fields(m), " "))
		}
	}
	return strings.Join(out, "\n")
}
