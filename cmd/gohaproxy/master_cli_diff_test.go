package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// mcliSessions are master CLI connections: the lines a client sends at
// once before closing its side ("%W" is the worker's pid). Each covers
// what HAProxy 2.6.12's master answers: its own commands and their
// suggestions, prompt mode, "@" targets, levels and expert modes.
var mcliSessions = [][]string{
	{"help", "show env", "foo", "show", "help show", "help foo", "help show cli foo", "   ", "", "show version\\;x",
		"show cli foo", "@master @1 show cli level", "help @1", "show cli level", "show cli sockets", "show version"},
	{"show version;show cli level;show proc", "@master show version;show cli level"},
	{"prompt", "show version", "", "  ", ";", "@1", "show cli level", "@master", "show cli level", "@!%W", "@",
		"@0 show cli level", "show version;show cli level", "prompt", "show cli level"},
	{"operator", "show cli level", "@1 show cli level", "help", "show proc", "@master operator", "show cli level",
		"user", "reload", "show cli level", "@1 show cli level", "user", "operator", "show version"},
	{"expert-mode on", "show cli level", "experimental-mode on", "help", "expert-mode off", "expert-mode",
		"operator", "expert-mode on", "show version"},
	{"user", "experimental-mode on"},
	{"operator", "@1 set maxconn global 100", "@1 disable server be/s1", "@1 clear counters all", "user", "@1 clear counters",
		"@1 show sess", "@1 get weight be/s1", "@1 show env HOME", "@1 operator"},
	{"expert-mode on", "@master expert-mode", "@1 expert-mode", "@master experimental-mode", "@master mcli-debug-mode",
		"@1 experimental-mode", "expert-mode off", "@1 expert-mode", "@master expert-mode on", "@master user", "@master expert-mode on"},
	{"expert-mode on", "user", "show cli level", "@1 show cli level", "@master expert-mode", "@1 expert-mode"},
	{"experimental-mode on", "operator", "@master experimental-mode", "@1 experimental-mode", "@1 expert-mode"},
	{"user", "mcli-debug-mode on"},
	{"@x"}, {"@!1 show info"}, {"@2 show info"}, {"prompt", "@!0"},
	{"@1 operator", "@1 show cli level", "@!%W show cli level", "@1 show cli sockets", "@1 prompt", "@1 quit", "@master prompt", "@master quit", "show version"},
	{"prompt", "show version <<", "abc", "", "show cli level"},
	{"prompt", "@1 show cli level <<", "abc", "def", "", "user", "@1 show cli level <<", "", "show cli level"},
	{"@1 show cli level <<", "x", "", "@master show version <<", "y", "", "show cli level"},
	{"prompt", "@1", "user", "show cli level", "quit", "show version"},
	{"show version", "quit", "show version"},
	{"prompt", "reload", "show version"},
}

// TestMasterCLIMatchesHAProxy sends the same sessions to haproxy's and
// gohaproxy's master CLIs (-W -S) and compares the answers byte for byte,
// with pids, uptimes and the version string masked; a second -S socket
// with "level,user,mode,640" starts its sessions at user level. After the
// sessions' reload, an old worker kept by a tcp session answers "@!<pid>";
// after a failed reload the prompt is "master[ReloadFailed]> ".
func TestMasterCLIMatchesHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	hold, release := holdServer(t)
	group := "" // as root, the user socket's group is set too
	if _, err := user.LookupGroup("nogroup"); err == nil && os.Geteuid() == 0 {
		group = ",group,nogroup"
	}
	run := func(exe, name string) ([]string, os.FileInfo) {
		d := filepath.Join(dir, name)
		os.Mkdir(d, 0o755)
		cfg := filepath.Join(d, "m.cfg")
		// No stats socket: the master reaches its worker all the same.
		pmConfig(t, cfg, loopback.FreeAddr(t), be.addr, "    master-worker")
		// A tcp session held across the reload keeps the old worker.
		tcpFront := loopback.FreeAddr(t)
		f, _ := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
		fmt.Fprintf(f, "listen held\n    mode tcp\n    bind %s\n    server s1 %s\n", tcpFront, hold)
		f.Close()
		sock, userSock := filepath.Join(d, "m.sock"), filepath.Join(d, "u.sock")
		m := startPM(t, exe, nil, nil, "-W", "-db", "-S", sock, "-S", userSock+",level,user,mode,640"+group, "-f", cfg)
		worker := m.waitLog(t, `New worker \((\d+)\) forked`, 10*time.Second)[1]
		m.waitLog(t, `Loading success.`, 10*time.Second)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if waitDial(t, sock); strings.Contains(mcliTranscript(t, sock, []string{"show proc"}), "\n"+worker+" ") {
				break
			}
		}
		mask := func(s string) string {
			s = regexp.MustCompile(`\b`+strconv.Itoa(m.cmd.Process.Pid)+`\b`).ReplaceAllString(s, "MPID")
			s = regexp.MustCompile(`\b`+worker+`\b`).ReplaceAllString(s, "WPID")
			s = regexp.MustCompile(`\d+d\d\dh\d\dm\d\ds`).ReplaceAllString(s, "UPTIME")
			// show proc's pid column, padded to the pid's length
			s = regexp.MustCompile(`(?m)^(\S+) +(master|worker) `).ReplaceAllString(s, "$1 $2 ")
			s = regexp.MustCompile(`(?m)^\d+ (worker) `).ReplaceAllString(s, "PID $1 ")
			s = regexp.MustCompile(`sockpair@\d+`).ReplaceAllString(s, "sockpair@N") // the worker's descriptor
			return regexp.MustCompile(`2\.6\.12\S* *`).ReplaceAllString(s, "VERSION")
		}
		// the user socket first: the sessions end with a reload
		out := []string{mask(mcliTranscript(t, userSock, []string{"show cli level", "@1 show cli level", "reload", "operator", "show version"}))}
		held, err := net.Dial("tcp", tcpFront)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Close()
		io.WriteString(held, "x")
		for _, lines := range mcliSessions {
			l := strings.Split(strings.ReplaceAll(strings.Join(lines, "\n"), "%W", worker), "\n")
			out = append(out, mask(mcliTranscript(t, sock, l)))
		}
		// After the sessions' reload, the old worker is still reached.
		m.waitLog(t, `(?s)(Loading success.*){2}`, 10*time.Second)
		out = append(out, mask(afterReload(t, sock, strings.Split("show proc\n@!"+worker+" show cli level\nprompt\n@!"+worker+"\nshow cli level", "\n"))))
		held.Close()
		release()
		// Then a failed reload: "master[ReloadFailed]> ".
		m.waitLog(t, `Former worker \(`+worker+`\) exited`, 10*time.Second)
		time.Sleep(1500 * time.Millisecond) // HAProxy's re-executed master sets its signal handlers late
		good, _ := os.ReadFile(cfg)
		os.WriteFile(cfg, append(good, "frontend\n"...), 0o644)
		m.cmd.Process.Signal(syscall.SIGUSR2)
		m.waitLog(t, `Loading failure!`, 10*time.Second)
		out = append(out, mask(afterReload(t, sock, []string{"prompt", "show proc", "show cli level", "@1 show cli level"})))
		if exe == bin { // goha cannot run worker commands in its master: refused
			if out := mcliTranscript(t, sock, []string{"mcli-debug-mode on", "show version"}); out != "mcli-debug-mode is not supported by goha.\n" {
				t.Errorf("mcli-debug-mode on: %q", out)
			}
		}
		fi, err := os.Stat(userSock)
		if err != nil {
			t.Fatal(err)
		}
		if def, err := os.Stat(sock); err == nil { // no mode option: the umask's
			out = append(out, def.Mode().String())
		}
		return out, fi
	}
	want, wantMode := run(real, "haproxy")
	got, gotMode := run(bin, "goha")
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("session %d (0: the user socket's):\ngohaproxy %q\nhaproxy   %q", i, got[i], want[i])
		}
	}
	if gotMode.Mode() != wantMode.Mode() || gotMode.Sys().(*syscall.Stat_t).Gid != wantMode.Sys().(*syscall.Stat_t).Gid {
		t.Errorf("-S ...,mode,640%s: socket %v gid %d, haproxy's %v gid %d", group, gotMode.Mode(), gotMode.Sys().(*syscall.Stat_t).Gid,
			wantMode.Mode(), wantMode.Sys().(*syscall.Stat_t).Gid)
	}
}

// mcliTranscript sends the lines at once, closes its side and returns
// everything the master CLI answers until it closes.
func mcliTranscript(t *testing.T, sock string, lines []string) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("master CLI: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, strings.Join(lines, "\n")+"\n")
	c.(*net.UnixConn).CloseWrite()
	b, _ := io.ReadAll(c)
	return string(b)
}

// waitDial waits (10 s at most) until sock accepts connections: HAProxy's
// master binds it again when it re-executes itself.
func waitDial(t *testing.T, sock string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s never accepted a connection", sock)
}

// TestMasterCLIFlagsCheckMatchHAProxy: -c checks -S as HAProxy 2.6.12
// does: a warning without master-worker mode, each option's error worded
// as HAProxy's with it; a bind option goha does not apply is refused.
func TestMasterCLIFlagsCheckMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.cfg")
	pmConfig(t, cfg, "127.0.0.1:1", "127.0.0.1:2", "")
	sock := filepath.Join(dir, "m.sock")
	be := startPMBackend(t) // a port in use
	for _, tc := range []struct {
		mworker bool
		opts    string
	}{
		{false, ""}, {true, ",mode,0640,level,operator,uid,abc,gid,0"}, {true, ",level"}, {true, ",level,bogus"},
		{true, ",mode,9"}, {true, ",mode,0x10"}, {true, ",user"}, {true, ",user,nosuchuser"}, {true, ",group,nosuchgroup"},
		{true, ",uid"}, {true, ",foo"}, {true, ",mode,600,lvl,user"},
	} {
		args := []string{"-c", "-S", sock + tc.opts, "-f", cfg}
		if tc.mworker {
			args = append([]string{"-W"}, args...)
		}
		cmd := exec.Command(hp, args...)
		out, _ := cmd.CombinedOutput()
		code, o, e := runArgs(args...)
		if want, got := checkOutput(string(out)), checkOutput(e+o); got != want || code != cmd.ProcessState.ExitCode() {
			t.Errorf("%v: exit %d, haproxy's %d\ngohaproxy %q\nhaproxy   %q", args, code, cmd.ProcessState.ExitCode(), got, want)
		}
	}
	// At start, a socket that cannot be bound: HAProxy's alerts, exit 1.
	bin := pmBinary(t, dir)
	pmConfig(t, cfg, loopback.FreeAddr(t), "127.0.0.1:2", "")
	for _, s := range []string{filepath.Join(dir, "nodir", "m.sock"), "ipv4@" + be.addr} {
		args := []string{"-W", "-db", "-S", s, "-f", cfg}
		hcmd, gcmd := exec.Command(hp, args...), exec.Command(bin, args...)
		hout, _ := hcmd.CombinedOutput()
		gout, _ := gcmd.CombinedOutput()
		// each names its argv[0]
		want, got := strings.ReplaceAll(checkOutput(string(hout)), hp, "BIN"), strings.ReplaceAll(checkOutput(string(gout)), bin, "BIN")
		if got != want || gcmd.ProcessState.ExitCode() != hcmd.ProcessState.ExitCode() {
			t.Errorf("-S %s: exit %d, haproxy's %d\ngohaproxy %q\nhaproxy   %q", s, gcmd.ProcessState.ExitCode(), hcmd.ProcessState.ExitCode(), got, want)
		}
	}
	code, _, e := runArgs("-c", "-W", "-S", sock+",accept-proxy", "-f", cfg)
	if code != 1 || !strings.Contains(e, "config : '"+sock+" accept-proxy' : 'accept-proxy' is not supported by goha's master CLI.\n") {
		t.Errorf("-S ...,accept-proxy: exit %d, %q", code, e)
	}
}

// holdServer accepts tcp connections and keeps them open until release
// (or the test's end).
func holdServer(t *testing.T) (addr string, release func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	release = func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	t.Cleanup(func() { ln.Close(); release() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String(), release
}

// afterReload is mcliTranscript once the master answers again: HAProxy's
// master re-executes itself on a reload, and a connection it accepted
// just before gets closed unanswered.
func afterReload(t *testing.T, sock string, lines []string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		waitDial(t, sock)
		if out := mcliTranscript(t, sock, lines); out != "" || time.Now().After(deadline) {
			return out
		}
	}
}
