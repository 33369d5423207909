package daemon_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// fakeSystemd is a stand-in init named "systemd": run as pid 1 of a new
// pid namespace it starts its arguments as its child (whose parent is then
// "systemd", pid 1, as under a real unit) and passes HUP and TERM on.
const fakeSystemd = `#!/bin/sh
"$@" &
child=$!
trap 'kill -HUP $child' HUP
trap 'kill -TERM $child' TERM
while kill -0 $child 2>/dev/null; do wait $child; done
`

// notifyListener is a NOTIFY_SOCKET: the non-empty datagrams received.
type notifyListener struct {
	path string
	c    *net.UnixConn
}

func listenNotify(t *testing.T, dir string) *notifyListener {
	t.Helper()
	path := filepath.Join(dir, "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &notifyListener{path: path, c: c}
}

// next returns the next non-empty datagram within d ("" if none came).
// keepalived also sends an empty one at start, which systemd ignores.
func (n *notifyListener) next(d time.Duration) string {
	buf := make([]byte, 1024)
	n.c.SetReadDeadline(time.Now().Add(d))
	for {
		k, err := n.c.Read(buf)
		if err != nil {
			return ""
		}
		if k > 0 {
			return string(buf[:k])
		}
	}
}

// childPid is the first child of pid (unshare's fork: the fake systemd).
func childPid(t *testing.T, pid int) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d has no child", pid)
	return 0
}

// waitDone waits up to 10 s for p to exit, then kills it and fails.
// splitChildStart takes out the parent's "Starting VRRP child process" line
// and returns the child's pid with the rest of the log. The parent and the
// child write to the same stderr at once, so keepalived's child may log its
// first lines before or after the parent's: tests compare what follows.
func splitChildStart(log string) (pid, rest string) {
	m := childStart.FindStringSubmatchIndex(log)
	if m == nil {
		return "", log
	}
	return log[m[2]:m[3]], log[:m[0]] + log[m[1]:]
}

var childStart = regexp.MustCompile(`(?m)^.*Starting VRRP child process, pid=(\d+)\n`)

// matchPid reports whether re matches log with its one group, the exiting
// child's pid, equal to pid.
func matchPid(re *regexp.Regexp, log, pid string) bool {
	m := re.FindStringSubmatch(log)
	return m != nil && m[1] == pid
}

func waitDone(t *testing.T, p *lab.Proc) {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		p.Kill()
		t.Errorf("%v still running after 10 s", p.Argv)
	}
}

// Under a Type=notify unit (the shipped keepalived.service), systemd waits
// for READY=1: gokeepalived sends keepalived 2.2.7's notifications at the
// same moments — READY=1 with MAINPID at start and after a reload,
// RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM, nothing for a missing file,
// ERRNO=22 when an instance's interface does not exist (the start is
// refused, exit status 2) — and only when its parent is systemd, like keepalived. The same run is
// made with the real keepalived when it is installed and must match.
func TestSystemdNotify(t *testing.T) {
	l := lab.NewForTest(t, "kasdn")
	h, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	impls := map[string]string{"gokeepalived": buildGokeepalived(t)}
	if ka, ok := testenv.Optional(t, "keepalived"); ok { // else gokeepalived is checked alone
		impls["keepalived"] = ka
	}
	dir := t.TempDir()
	initPath := filepath.Join(dir, "systemd")
	if err := os.WriteFile(initPath, []byte(fakeSystemd), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := seedCopy(t, dir, "keepalived-lb1.conf")
	missing := filepath.Join(dir, "missing.conf")
	noIface := filepath.Join(dir, "noiface.conf")
	if b, err := os.ReadFile(conf); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(noIface, []byte(strings.Replace(string(b), "interface ens160", "interface nosuch0", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ready := regexp.MustCompile(`^READY=1\nMAINPID=\d+$`)

	for name, bin := range impls {
		t.Run(name, func(t *testing.T) {
			n := listenNotify(t, t.TempDir())
			run := func(underSystemd bool, cfg string) *lab.Proc {
				argv := []string{"env", "NOTIFY_SOCKET=" + n.path}
				if underSystemd {
					argv = append(argv, "unshare", "--pid", "--fork", "--mount-proc", initPath)
				}
				argv = append(argv, bin, "-n", "-l", "-P", "-f", cfg,
					"-p", filepath.Join(dir, name+".pid"), "-r", filepath.Join(dir, name+"_vrrp.pid"))
				p, err := h.Start(argv...)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}

			// A file that cannot be read: the exit status says it all.
			p := run(true, missing)
			waitDone(t, p)
			if got := n.next(300 * time.Millisecond); got != "" {
				t.Errorf("missing file: notified %q", got)
			}
			// An instance on an interface the host lacks: refused, with
			// ERRNO=22 to systemd and exit status 2 otherwise.
			p = run(true, noIface)
			waitDone(t, p)
			if got := n.next(2 * time.Second); got != "ERRNO=22" {
				t.Errorf("missing interface: notified %q, want ERRNO=22", got)
			}
			p = run(false, noIface)
			waitDone(t, p)
			if st, _ := p.Wait(); st == nil || st.ExitCode() != 2 {
				t.Errorf("missing interface: exit %v, want 2:\n%s", st, p.Stderr())
			}
			refusal := regexp.MustCompile(`(?m)^.*: \(` + regexp.QuoteMeta(noIface) +
				`: Line 13\) WARNING - interface nosuch0 for vrrp_instance lb_ha doesn't exist\n.*: Non-existent interface specified in configuration\n` +
				`.*: Stopped.*\n.*: pid (\d+) exited with permanent error CONFIG\. Terminating\n`)
			if m, childLog := splitChildStart(p.Stderr()); m == "" || !matchPid(refusal, childLog, m) {
				t.Errorf("missing interface: log does not match %s:\n%s", refusal, p.Stderr())
			}
			if got := n.next(300 * time.Millisecond); got != "" {
				t.Errorf("missing interface without systemd: notified %q", got)
			}
			// Not under systemd: nothing is sent, whatever NOTIFY_SOCKET says.
			p = run(false, conf)
			if got := n.next(2 * time.Second); got != "" {
				t.Errorf("without a systemd parent it notified %q", got)
			}
			p.Signal(syscall.SIGTERM)
			waitDone(t, p)

			p = run(true, conf)
			defer p.Kill()
			if got := n.next(5 * time.Second); !ready.MatchString(got) {
				t.Fatalf("start: %q, want READY=1 and MAINPID", got)
			}
			init := childPid(t, p.Pid())
			syscall.Kill(init, syscall.SIGHUP)
			if got := n.next(5 * time.Second); got != "RELOADING=1" {
				t.Errorf("SIGHUP: %q, want RELOADING=1", got)
			}
			if got := n.next(5 * time.Second); !ready.MatchString(got) {
				t.Errorf("after reload: %q, want READY=1 and MAINPID", got)
			}
			syscall.Kill(init, syscall.SIGTERM)
			if got := n.next(5 * time.Second); got != "STOPPING=1" {
				t.Errorf("SIGTERM: %q, want STOPPING=1", got)
			}
			waitDone(t, p)
			if got := n.next(300 * time.Millisecond); got != "" {
				t.Errorf("after STOPPING=1: %q", got)
			}
		})
	}
}
