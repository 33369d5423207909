package daemon_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// seedWith writes the seed's keepalived-lb1.conf changed by edit into dir.
func seedWith(t *testing.T, dir, name string, edit func(string) string) string {
	t.Helper()
	b, err := os.ReadFile(seedCopy(t, dir, "keepalived-lb1.conf"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lvsBlock is an LVS virtual server, which gokeepalived does not run.
const lvsBlock = `virtual_server 192.168.110.100 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 192.168.110.21 80 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
`

// TestRefuseUnsupported (issue 16, fail closed): gokeepalived refuses to
// start on a file keepalived would run with a feature gokeepalived does
// not run (an LVS virtual_server, auth_type AH), the way keepalived 2.2.7
// refuses a config error (the missing-interface refusal, matched against
// keepalived in TestSystemdNotify): the alerts with their lines, "Stopped",
// "permanent error CONFIG", exit status 2, ERRNO=22 to systemd. The
// operator's override, --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1,
// runs the rest (the VIP comes up) with the alerts as warnings. A SIGHUP
// to such a file keeps the running configuration, and the SIGUSR1 dump is
// written 0600.
func TestRefuseUnsupported(t *testing.T) {
	l := lab.NewForTest(t, "kaunsup")
	h, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	vs := seedWith(t, dir, "vs.conf", func(s string) string { return s + lvsBlock })
	ah := seedWith(t, dir, "ah.conf", func(s string) string {
		// AH needs a BACKUP start state (keepalived clears MASTER with AH),
		// and no vrrp_strict (which drops any authentication)
		s = strings.Replace(s, "   vrrp_strict\n", "", 1)
		return strings.Replace(strings.Replace(s, "auth_type PASS", "auth_type AH", 1), "state MASTER", "state BACKUP", 1)
	})
	initPath := filepath.Join(dir, "systemd")
	if err := os.WriteFile(initPath, []byte(fakeSystemd), 0o755); err != nil {
		t.Fatal(err)
	}
	lb := &lbHost{t: t, name: "lb1", h: h, bin: bin, dir: dir}
	start := func(pre []string, conf string, extra ...string) *lab.Proc {
		t.Helper()
		argv := append(pre, bin, "-n", "-l", "-G", "-f", conf,
			"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "k_vrrp.pid"))
		p, err := h.Start(append(argv, extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	refusals := []struct {
		conf, line string
	}{
		{vs, `\(Line 25\) 'virtual_server' is parsed but not supported by gokeepalived yet`},
		{ah, `\(Line 17\) 'auth_type AH' is parsed but not supported by gokeepalived yet: adverts are sent without authentication`},
	}
	for _, c := range refusals {
		p := start(nil, c.conf)
		waitDone(t, p)
		if st, _ := p.Wait(); st == nil || st.ExitCode() != 2 {
			t.Errorf("%s: exit %v, want 2:\n%s", c.conf, st, p.Stderr())
		}
		refusal := regexp.MustCompile(`(?m)^.*: goha: ` + c.line + `\n` +
			`.*: goha: the configuration uses features gokeepalived does not support: refusing it \(--allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1 runs without them\)\n` +
			`.*: Stopped\n.*: pid (\d+) exited with permanent error CONFIG\. Terminating\n`)
		if pid, childLog := splitChildStart(p.Stderr()); pid == "" || !matchPid(refusal, childLog, pid) {
			t.Errorf("%s: log does not match %s:\n%s", c.conf, refusal, p.Stderr())
		}
		if lb.hasVIP() {
			t.Fatalf("%s: the VIP is up after a refused start", c.conf)
		}
		for _, pf := range []string{"k.pid", "k_vrrp.pid"} {
			if _, err := os.Stat(filepath.Join(dir, pf)); err == nil {
				t.Errorf("%s: pid file %s written by a refused start", c.conf, pf)
			}
		}
	}

	// Under systemd the refusal is told as keepalived tells a config error.
	n := listenNotify(t, t.TempDir())
	p := start([]string{"env", "NOTIFY_SOCKET=" + n.path, "unshare", "--pid", "--fork", "--mount-proc", initPath}, vs)
	waitDone(t, p)
	if got := n.next(2 * time.Second); got != "ERRNO=22" {
		t.Errorf("under systemd: notified %q, want ERRNO=22", got)
	}

	// The override, on the command line or in the environment: the VRRP
	// part runs, the alerts are warnings.
	overrides := []struct {
		name     string
		pre      []string
		conf     string
		extra    []string
		becomeUp bool
	}{
		{"--allow-unsupported", nil, vs, []string{"--allow-unsupported"}, true},
		{"GOHA_ALLOW_UNSUPPORTED=1", []string{"env", "GOHA_ALLOW_UNSUPPORTED=1"}, vs, nil, true},
		// AH: the instance runs (as BACKUP, alone it becomes MASTER),
		// its adverts without authentication.
		{"auth_type AH allowed", nil, ah, []string{"--allow-unsupported"}, true},
	}
	for _, o := range overrides {
		p := start(o.pre, o.conf, o.extra...)
		deadline := time.Now().Add(8 * time.Second)
		for !lb.hasVIP() && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if lb.hasVIP() != o.becomeUp {
			t.Errorf("%s: VIP up %v, want %v:\n%s", o.name, lb.hasVIP(), o.becomeUp, p.Stderr())
		}
		if !strings.Contains(p.Stderr(), ": ignored (--allow-unsupported)\n") {
			t.Errorf("%s: no warning naming the override:\n%s", o.name, p.Stderr())
		}
		p.Signal(syscall.SIGTERM)
		waitDone(t, p)
		if lb.hasVIP() {
			t.Fatalf("%s: VIP left after SIGTERM", o.name)
		}
	}

	// A reload to a file with an unsupported feature keeps what runs.
	conf := seedCopy(t, dir, "keepalived-lb1.conf")
	p = start(nil, conf)
	defer p.Kill()
	deadline := time.Now().Add(8 * time.Second)
	for !lb.hasVIP() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !lb.hasVIP() {
		t.Fatalf("the seed config never became MASTER:\n%s", p.Stderr())
	}
	watch := watchVIP(lb)
	b, _ := os.ReadFile(conf)
	if err := os.WriteFile(conf, append(b, lvsBlock...), 0o644); err != nil {
		t.Fatal(err)
	}
	p.Signal(syscall.SIGHUP)
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Stderr(), "goha: reload failed: keeping the running configuration") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.Stderr(), "'virtual_server' is parsed but not supported by gokeepalived yet\n") ||
		!strings.Contains(p.Stderr(), "goha: reload failed: keeping the running configuration") {
		t.Errorf("reload to an unsupported file: log lacks the refusal:\n%s", p.Stderr())
	}
	time.Sleep(500 * time.Millisecond)
	if lost := watch(); lost {
		t.Error("the VIP left during the refused reload")
	}

	// SIGUSR1: keepalived's data file, 0600 as keepalived writes it.
	os.Remove("/tmp/keepalived.data")
	p.Signal(syscall.SIGUSR1)
	waitFile(t, "/tmp/keepalived.data")
	if st, err := os.Stat("/tmp/keepalived.data"); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("/tmp/keepalived.data: %v, mode %v, want 0600", err, st.Mode())
	}
	p.Signal(syscall.SIGTERM)
	waitDone(t, p)
}
