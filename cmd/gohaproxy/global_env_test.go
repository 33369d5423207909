package main

import (
	"io"
	"net"
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

// envConfig changes the environment in the global section: later lines'
// "${VAR}", .if defined(), an address, the env() fetch and `show env` see
// the result. The process starts with PRE=outside, DROPPED=1 and KEPT=k.
const envConfig = `global
    setenv FOO bar
    presetenv PRE inside
    presetenv NEW "${FOO}-new"
    unsetenv DROPPED
    setenv PORT %PORT%
    .if defined(DROPPED)
    .notice "DROPPED still there"
    .endif
    .notice "foo=${FOO} pre=${PRE} new=${NEW} kept=${KEPT}"
    setenv LATE late
    stats socket %SOCK% level admin
defaults
    mode http
    timeout client 2s
    timeout server 2s
    timeout connect 2s
frontend f
    bind "127.0.0.1:${PORT}"
    http-request return status 200 content-type text/plain lf-string "foo=%[env(FOO)] pre=%[env(PRE)] new=%[env(NEW)] late=%[env(LATE)] dropped=%[env(DROPPED)] kept=%[env(KEPT)]\n"
`

// The same configuration with resetenv: what it does not keep is gone.
const envResetLines = `    resetenv FOO KEPT PORT
    .notice "after reset foo=${FOO} pre=${PRE} kept=${KEPT}"
`

func TestGlobalEnvMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	for _, reset := range []bool{false, true} {
		cfg := envConfig
		if reset {
			cfg = strings.Replace(cfg, "    stats socket", envResetLines+"    stats socket", 1)
		}
		var answers [2]string
		for i, b := range []string{"haproxy", bin} {
			addr := loopback.FreeAddr(t)
			_, port, _ := net.SplitHostPort(addr)
			dir := t.TempDir()
			sock := filepath.Join(dir, "stats")
			path := filepath.Join(dir, "t.cfg")
			os.WriteFile(path, []byte(strings.NewReplacer("%PORT%", port, "%SOCK%", sock).Replace(cfg)), 0o644)
			env := []string{"PATH=" + os.Getenv("PATH"), "PRE=outside", "DROPPED=1", "KEPT=k"}
			check := exec.Command(b, "-c", "-f", path)
			check.Env = env
			out, err := check.CombinedOutput()
			if err != nil {
				t.Fatalf("%s -c: %v\n%s", b, err, out)
			}
			run := exec.Command(b, "-db", "-f", path)
			run.Env = env
			if err := run.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { run.Process.Kill(); run.Wait() })
			loopback.WaitListen(t, addr)
			answers[i] = strings.ReplaceAll(notices(string(out)), dir, "DIR") + "\n" + body(t, addr) +
				haproxytest.StatsCmd(t, sock, "show env FOO") + haproxytest.StatsCmd(t, sock, "show env LATE") +
				haproxytest.StatsCmd(t, sock, "show env DROPPED")
		}
		if answers[0] != answers[1] {
			t.Errorf("resetenv %v: haproxy:\n%s\ngohaproxy:\n%s", reset, answers[0], answers[1])
		}
		if !strings.Contains(answers[0], "foo=bar pre=outside new=bar-new late=late dropped= kept=k") && !reset {
			t.Errorf("haproxy's answer changed: %s", answers[0])
		}
	}
}

// envBadConfig holds the environment lines HAProxy refuses, and what it
// did before refusing (unsetenv stops at the bad name).
const envBadConfig = `global
    setenv A=B c
    setenv X
    setenv X y z
    .notice "x=${X}"
    setenv Y y z w
    unsetenv
    unsetenv DROPPED A=Q KEPT
    presetenv "" v
    .notice "dropped=${DROPPED} kept=${KEPT} y=${Y}"
    no setenv Q 1
    .notice "q=${Q}"
`

func TestGlobalEnvErrorsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	path := haproxytest.WriteConfig(t, envBadConfig)
	var outs [2]string
	for i, b := range []string{"haproxy", bin} {
		check := exec.Command(b, "-c", "-f", path)
		check.Env = []string{"DROPPED=1", "KEPT=k"}
		out, err := check.CombinedOutput()
		outs[i] = notices(string(out)) + "\n" + exitOf(err)
	}
	if outs[0] != outs[1] {
		t.Errorf("haproxy:\n%s\ngohaproxy:\n%s", outs[0], outs[1])
	}
	if !strings.Contains(outs[0], "dropped= kept=k y=") {
		t.Errorf("haproxy's answer changed: %s", outs[0])
	}
}

func exitOf(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

// notices keeps the NOTICE and ALERT lines of -c output without the pid
// and the version banner.
func notices(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, ") : "); ok && !strings.Contains(l, "version is") && !strings.Contains(l, "path to executable") {
			keep = append(keep, rest)
		}
	}
	return strings.Join(keep, "\n")
}

// body is the answer's body to GET / on addr.
func body(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	b, _ := io.ReadAll(c)
	_, after, _ := strings.Cut(string(b), "\r\n\r\n")
	return after
}
