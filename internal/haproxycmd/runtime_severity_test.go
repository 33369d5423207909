package haproxycmd

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestSeverityOutputBindMatchesHAProxy: the `severity-output` option of
// a `stats socket` line is how each session starts, as if it had sent
// `set severity-output` first; the command still changes it.
func TestSeverityOutputBindMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	start := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "f.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %[1]s/number.sock level admin severity-output number
    stats socket %[1]s/string.sock level admin severity-output string
    stats socket %[1]s/none.sock level admin severity-output none
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %[2]s severity-output string
    default_backend be
backend be
    server s1 %[3]s
`, dir, bind, web.Addr)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return dir
	}
	haDir, goDir := start("haproxy"), start(gohaproxy)
	cmds := []string{"set profiling", "show cli level", "get var proc.x", "set timeout x", "show backend", "user; show fd",
		"set server be/s1 weight 2x", "add server be/s9 127.0.0.1:2", "set severity-output none; set profiling",
		"set severity-output string; set profiling", "set severity-output number; set profiling", "set severity-output x"}
	for _, sock := range []string{"number.sock", "string.sock", "none.sock"} {
		for _, c := range cmds {
			ha := haproxytest.StatsCmd(t, filepath.Join(haDir, sock), c)
			goha := haproxytest.StatsCmd(t, filepath.Join(goDir, sock), c)
			if ha != goha {
				t.Errorf("%s: %s\nhaproxy %q\n   goha %q", sock, c, ha, goha)
			}
		}
	}
}
