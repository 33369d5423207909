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

// get var, set timeout cli, show env, show cli sockets, show cache, help,
// unknown commands and the expert modes answer as HAProxy 2.6 does (get var without the final empty line, as
// HAProxy), and a session's `set timeout cli` closes an idle prompt
// session in both.
func TestMiscCommandsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	t.Setenv("GOHA_CLI_TEST", "v=1 two")
	start := func(bin string) (string, string) {
		dir := t.TempDir()
		bind, tcp := loopback.FreeAddr(t), loopback.FreeAddr(t)
		path := filepath.Join(dir, "m.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %[1]s/s.sock level admin
    stats socket %[3]s
    set-var proc.s str(hello)
    set-var proc.i int(42)
    set-var proc.b bool(1)
    set-var proc.a ipv4(1.2.3.4)
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind %[2]s
    http-request return status 200 content-type text/plain string ok
`, dir, bind, tcp)), 0o644)
		if bin == gohaproxy {
			inProcess(t, path, false) // not quiet: -q empties the startup logs
		} else {
			cmd := exec.Command(bin, "-db", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
		loopback.WaitListen(t, bind)
		return filepath.Join(dir, "s.sock"), tcp
	}
	haSock, haTCP := start("haproxy")
	goSock, goTCP := start(gohaproxy)
	for _, c := range []string{"get var", "get var proc.s", "get var proc.i", "get var proc.b", "get var proc.a", "get var proc.nosuch",
		"get var txn.x", "get var s", "set timeout", "set timeout cli", "set timeout cli x", "set timeout cli 0",
		"set timeout cli 5", "set timeout cli 5s", "set timeout cli 100ms", "set timeout cli 3x", "set timeout server 1",
		"show env GOHA_CLI_TEST", "show env NOSUCH_GOHA", "show cache", "operator; show cache", "user; show cache", "operator; get var proc.s", "user; get var proc.s",
		"get var proc.s; get var proc.i", "set table", "set table nosuch", "del acl", "del map"} {
		if ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
		}
	}
	// help and unknown commands: HAProxy's suggestions, equally close
	// ones taken in its registration order (runtimeapi.GenUsage), and the
	// expert and experimental modes.
	for _, c := range []string{"help", "help quit", "help prompt x", "help show", "help foo", "help se weight", "help show cmli sockets serkver", "   ", "show",
		"show foo", "foo fd", "set info2 backend", "operaotr", "shwo stat", "get wieght x", "disable servr", "add", "help add",
		"clear foo", "set maxconn", "set maxconn foo", "show servers stat", "abort ssl", "new ssl crl-file", "trace x y z",
		"show ssl", "commit acl", "show startup", "expert-mode", "expert-mode on;expert-mode", "experimental-mode off;experimental-mode",
		"operator;expert-mode on", "expert-mode on -;show cli level", "user;experimental-mode", "mcli-debug-mode on",
		"debug dev log x", "set var proc.x str(a)", "httpclient GET /", "expert-mode on;help debug", "experimental-mode on;help set",
		"expert-mode on;help", "experimental-mode on;help", "expert-mode on;debug dve", "experimental-mode on;set vra x", "help", "set vra x"} {
		if ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
		}
	}
	ha := strings.ReplaceAll(strings.ReplaceAll(haproxytest.StatsCmd(t, haSock, "show cli sockets"), haSock, "SOCK"), haTCP, "TCP")
	goha := strings.ReplaceAll(strings.ReplaceAll(haproxytest.StatsCmd(t, goSock, "show cli sockets"), goSock, "SOCK"), goTCP, "TCP")
	if ha != goha {
		t.Errorf("show cli sockets\nhaproxy %q\n   goha %q", ha, goha)
	}
	if env := haproxytest.StatsCmd(t, goSock, "show env"); !strings.Contains(env, "\nGOHA_CLI_TEST=v=1 two\n") {
		t.Errorf("goha's show env lacks the variable:\n%s", env)
	}
	// An idle prompt session with `set timeout cli 1` is closed.
	for name, sock := range map[string]string{"haproxy": haSock, "goha": goSock} {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("prompt\nset timeout cli 1\n"))
		c.SetReadDeadline(time.Now().Add(4 * time.Second))
		start := time.Now()
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				break
			}
		}
		c.Close()
		if d := time.Since(start); d < 800*time.Millisecond || d > 3*time.Second {
			t.Errorf("%s: the idle prompt session ended after %v, want about 1s", name, d)
		}
	}
}

// `shutdown frontend` stops a frontend for good, as in HAProxy 2.6: the
// same answers (then enable/disable refuse), status STOP in show stat,
// no new connection, and HAProxy's "Proxy ... stopped" warning.
func TestShutdownFrontendMatchHAProxy(t *testing.T) {
	p := startFormatsPair(t)
	for _, c := range []string{"shutdown frontend", "shutdown frontend nosuch", "shutdown frontend be", "operator; shutdown frontend fe",
		"disable frontend fe", "shutdown frontend fe", "shutdown frontend fe", "enable frontend fe", "disable frontend fe"} {
		if ha, goha := haproxytest.StatsCmd(t, p.haSock, c), haproxytest.StatsCmd(t, p.goSock, c); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
		}
	}
	cols := []string{"pxname", "svname", "status"}
	ha, goha := haproxytest.StatsCmd(t, p.haSock, "show stat"), haproxytest.StatsCmd(t, p.goSock, "show stat")
	diffLines(t, "show stat after shutdown", statColumns(t, ha, cols), statColumns(t, goha, cols))
	if !strings.Contains(strings.Join(statColumns(t, goha, cols), "\n"), "pxname=fe svname=FRONTEND status=STOP") {
		t.Errorf("goha's frontend is not STOP:\n%s", goha)
	}
	for name, addr := range map[string]string{"haproxy": p.haBind, "goha": p.goBind} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s accepted a connection after shutdown frontend", name)
		}
	}
}

// show startup-logs holds the messages of the start (a missing-timeouts
// warning here; the version and path notices name each binary), and the
// trace and event commands answer in HAProxy's words for goha's state:
// no trace source runs, the sinks hold nothing.
func TestDiagCommandsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	start := func(bin string) string {
		dir := t.TempDir()
		bind := loopback.FreeAddr(t)
		path := filepath.Join(dir, "d.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %s/s.sock level admin
defaults
    mode http
frontend f
    bind %s
    http-request return status 200
`, dir, bind)), 0o644)
		if bin == gohaproxy {
			inProcess(t, path, false) // not quiet: -q empties the startup logs
		} else {
			cmd := exec.Command(bin, "-db", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
		loopback.WaitListen(t, bind)
		return filepath.Join(dir, "s.sock")
	}
	haSock, goSock := start("haproxy"), start(gohaproxy)
	mask := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "haproxy version is") || strings.Contains(l, "path to executable") {
				continue
			}
			if i, j := strings.Index(l, "("), strings.Index(l, ")"); i >= 0 && j > i && strings.HasPrefix(l, "[") {
				l = l[:i] + "(pid)" + l[j+1:]
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	}
	// HAProxy lists its own trace sources; goha has none, so its lists
	// are HAProxy's first lines.
	prefix := map[string]int{"show trace": 1, "operator; trace": 3}
	for _, c := range []string{"show startup-logs", "show events", "show events stdout", "show events stderr", "show events buf0",
		"show events nosuch", "show trace", "show trace nosuch", "trace 0", "trace nosuch", "operator; trace", "user; trace"} {
		ha, goha := mask(haproxytest.StatsCmd(t, haSock, c)), mask(haproxytest.StatsCmd(t, goSock, c))
		if n, ok := prefix[c]; ok {
			ha = strings.Join(strings.SplitAfterN(ha, "\n", n+1)[:n], "") + "\n"
		}
		if ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
		}
		if c == "show startup-logs" && !strings.Contains(goha, "missing timeouts for frontend 'f'") {
			t.Errorf("goha's startup logs lack the warning: %q", goha)
		}
	}
}

// show libs lists gohaproxy's one executable in HAProxy's line shape
// (start-end (size) path), as HAProxy lists its own objects.
func TestShowLibsShape(t *testing.T) {
	p := startFormatsPair(t)
	line := regexp.MustCompile(`^0x[0-9a-f]{12}-0x[0-9a-f]{12} \(0x[0-9a-f]{7}\) /\S+$`)
	for name, sock := range map[string]string{"haproxy": p.haSock, "goha": p.goSock} {
		out := strings.TrimSuffix(haproxytest.StatsCmd(t, sock, "show libs"), "\n\n")
		lines := strings.Split(out, "\n")
		for _, l := range lines {
			if !line.MatchString(l) {
				t.Errorf("%s: show libs line %q", name, l)
			}
		}
		if exe, _ := os.Executable(); name == "goha" && (len(lines) != 1 || !strings.HasSuffix(lines[0], " "+exe)) {
			t.Errorf("goha's show libs: %q, want the executable %s", out, exe)
		}
	}
}
