package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// procEnvConfig reads HAProxy's own variables at parse time ("${...}",
// .if defined()) and at request time (env()); the stats socket's `show
// env` lists them.
const procEnvConfig = `global
    stats socket %SOCK% level admin
    .notice "lp=${HAPROXY_LOCALPEER} cf=${HAPROXY_CFGFILES} mw=${HAPROXY_MWORKER} cli=${HAPROXY_CLI} mcli=${HAPROXY_MASTER_CLI} sv=${HAPROXY_STARTUP_VERSION}"
defaults
    mode http
    timeout client 2s
    timeout server 2s
    timeout connect 2s
frontend f
    bind %BIND%
.if defined(HAPROXY_CFGFILES)
    http-request set-var(txn.parsed) str(cfgfiles-at-parse)
.endif
    http-request return status 200 content-type text/plain lf-string "lp=%[env(HAPROXY_LOCALPEER)] cf=%[env(HAPROXY_CFGFILES)] mw=%[env(HAPROXY_MWORKER)] cli=%[env(HAPROXY_CLI)] mcli=%[env(HAPROXY_MASTER_CLI)] sv=%[env(HAPROXY_STARTUP_VERSION)] unset=%[env(NOSUCH_GOHA)] parsed=%[var(txn.parsed)]\n"
`

// HAProxy's HAPROXY_* variables as its process sees them, under -db, -L
// (over inherited values, which keep their place in `show env`),
// master-worker with -S before and after a reload, and -D with and
// without master-worker: the same env()
// values, "${...}" expansions and `show env` answers from gohaproxy.
func TestProcessEnvMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	path := "PATH=" + os.Getenv("PATH")
	for _, tc := range []struct {
		name   string
		args   []string
		env    []string
		reload bool
	}{
		{"db", []string{"-db"}, []string{path}, false},
		{"L-over-inherited", []string{"-db", "-L", "peerX"}, []string{"HAPROXY_LOCALPEER=outer", path, "HAPROXY_CFGFILES=outer", "HAPROXY_STARTUP_VERSION=outer-v"}, false},
		{"master-worker", []string{"-W", "-db", "-S", "%MSOCK%", "-S", "%MTCP%"}, []string{path}, true},
		{"daemon", []string{"-D", "-p", "%PIDFILE%"}, []string{path}, false},
		{"master-worker-daemon", []string{"-W", "-D", "-p", "%PIDFILE%"}, []string{path}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var answers [2]string
			for i, b := range []string{"haproxy", bin} {
				answers[i] = procEnvRun(t, b, tc.args, tc.env, tc.reload)
			}
			if answers[0] != answers[1] {
				t.Errorf("haproxy:\n%s\ngohaproxy:\n%s", answers[0], answers[1])
			}
			if !strings.Contains(answers[0], "\nHAPROXY_CFGFILES=DIR/e.cfg\n") {
				t.Errorf("haproxy's show env changed:\n%s", answers[0])
			}
		})
	}
}

// procEnvRun starts bin with exactly env and returns what it answered,
// with the directory, addresses, descriptor numbers and version suffix
// replaced by names.
func procEnvRun(t *testing.T, bin string, args, env []string, reload bool) string {
	dir := t.TempDir()
	bind, mtcp := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(dir, "s.sock")
	cfg := filepath.Join(dir, "e.cfg")
	os.WriteFile(cfg, []byte(strings.NewReplacer("%SOCK%", sock, "%BIND%", bind).Replace(procEnvConfig)), 0o644)
	pidfile := filepath.Join(dir, "pid")
	r := strings.NewReplacer("%MSOCK%", filepath.Join(dir, "m.sock"), "%MTCP%", mtcp, "%PIDFILE%", pidfile)
	var argv []string
	for _, a := range args {
		argv = append(argv, r.Replace(a))
	}
	cmd := exec.Command(bin, append(argv, "-f", cfg)...)
	cmd.Env = env
	out := &haproxytest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		// -D: the process in the background wrote the pidfile.
		if b, err := os.ReadFile(pidfile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGTERM)
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	loopback.WaitListen(t, bind)
	answer := func() string {
		return body(t, bind) + haproxytest.StatsCmd(t, sock, "show env") +
			haproxytest.StatsCmd(t, sock, "show env HAPROXY_LOCALPEER") + haproxytest.StatsCmd(t, sock, "show env NOSUCH_GOHA")
	}
	got := answer()
	if reload {
		waitOutput(t, out, "Loading success.", 1)
		// HAProxy's master loses a reload asked right after "Loading
		// success." (as in TestProgramSectionsMatchHAProxy).
		time.Sleep(1500 * time.Millisecond)
		haproxytest.StatsCmd(t, filepath.Join(dir, "m.sock"), "reload")
		waitOutput(t, out, "Loading success.", 2)
		// Until it exits, the former worker may still take a connection
		// on the listeners it shares with the new one.
		waitOutput(t, out, "Former worker", 1)
		got += "after reload:\n" + answer()
	}
	var parsed []string
	for _, l := range strings.Split(out.String(), "\n") {
		if _, rest, ok := strings.Cut(l, ") : "); ok && strings.Contains(rest, "parsing [") {
			parsed = append(parsed, rest)
		}
	}
	got = strings.Join(parsed, "\n") + "\n" + got
	got = strings.NewReplacer(dir, "DIR", bind, "BIND", mtcp, "MTCP").Replace(got)
	got = regexp.MustCompile(`sockpair@\d+`).ReplaceAllString(got, "sockpair@N")
	return regexp.MustCompile(`(2\.6\.12)[-+~.\w]*`).ReplaceAllString(got, "$1")
}

// waitOutput waits (10s at most) until what a master printed holds text
// n times.
func waitOutput(t *testing.T, out *haproxytest.Buffer, text string, n int) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if strings.Count(out.String(), text) >= n {
			return
		}
	}
	t.Fatalf("%q not %d times in 10s:\n%s", text, n, out)
}

// A global "localpeer" sets HAPROXY_LOCALPEER as it is read, is ignored
// after a peers section (which keeps the name it ran as) and under -L,
// with HAProxy's warnings.
func TestLocalPeerLinesMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	path := haproxytest.WriteConfig(t, `global
    .notice "start=${HAPROXY_LOCALPEER}"
    localpeer one
    .notice "a=${HAPROXY_LOCALPEER}"
peers p
    peer one 127.0.0.1:1
global
    localpeer two
    .notice "b=${HAPROXY_LOCALPEER}"
`)
	host, _ := os.Hostname()
	for _, args := range [][]string{nil, {"-L", "cmd"}} {
		var outs [2]string
		for i, b := range []string{"haproxy", bin} {
			check := exec.Command(b, append([]string{"-c", "-f", path}, args...)...)
			check.Env = []string{"HAPROXY_LOCALPEER=outer"}
			out, err := check.CombinedOutput()
			outs[i] = strings.ReplaceAll(notices(string(out)), host, "HOST") + "\n" + exitOf(err)
		}
		if outs[0] != outs[1] {
			t.Errorf("%v: haproxy:\n%s\ngohaproxy:\n%s", args, outs[0], outs[1])
		}
		if want := "start=HOST'.\n"; args == nil && !strings.Contains(outs[0], want) {
			t.Errorf("haproxy's answer changed: %s", outs[0])
		}
	}
}
