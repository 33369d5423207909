package interop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/goha-lb/goha/lab"
)

// Impl is a VRRP daemon implementation: its name and the binary to run.
type Impl struct {
	Name string // "keepalived" or "gokeepalived"
	Path string
}

// Keepalived is Debian's keepalived 2.2.7 found on PATH.
var Keepalived = Impl{Name: "keepalived", Path: "keepalived"}

// ErrNotWired: the gokeepalived binary can only lint configs so far.
var ErrNotWired = errors.New("gokeepalived runtime not wired yet")

// BuildGokeepalived compiles ./cmd/gokeepalived of the repository that
// holds dir (or a parent of it) into outDir.
func BuildGokeepalived(dir, outDir string) (Impl, error) {
	root, err := repoRoot(dir)
	if err != nil {
		return Impl{}, err
	}
	bin := filepath.Join(outDir, "gokeepalived")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gokeepalived")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return Impl{}, fmt.Errorf("interop: go build gokeepalived: %v: %s", err, out)
	}
	return Impl{Name: "gokeepalived", Path: bin}, nil
}

func repoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("interop: go.mod not found above " + dir)
		}
		dir = parent
	}
}

// The dump files keepalived writes on SIGUSR1 / SIGUSR2 (inside the node's
// private /tmp).
const (
	DataPath  = "/tmp/keepalived.data"
	StatsPath = "/tmp/keepalived.stats"
)

// Daemon is one running VRRP daemon (keepalived forks a VRRP child even
// with -n; both are found through the process tree).
type Daemon struct {
	Impl    Impl
	Node    *Node
	Proc    *lab.Proc
	Started time.Time
}

// Log is everything the daemon printed so far (it logs to the console).
func (d *Daemon) Log() string { return d.Proc.Stdout() + d.Proc.Stderr() }

// LogCount counts the log lines containing s.
func (d *Daemon) LogCount(s string) int {
	n := 0
	for _, l := range strings.Split(d.Log(), "\n") {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// WaitLog waits until the log has at least n lines containing s.
func (d *Daemon) WaitLog(s string, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for d.LogCount(s) < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("interop: %s on %s: %d× %q not logged within %s; log tail: %s",
				d.Impl.Name, d.Node.Name, n, s, timeout, lastLines(d.Log(), 12))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Pids is the started process and all its live descendants.
func (d *Daemon) Pids() []int {
	root := d.Proc.Pid()
	if !alive(root) {
		return nil
	}
	return append([]int{root}, lab.Descendants(root)...)
}

// Term sends SIGTERM (a clean stop) and waits for the daemon to exit.
func (d *Daemon) Term(timeout time.Duration) error {
	if err := d.Proc.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-d.Proc.Done():
		return nil
	case <-time.After(timeout):
		d.Kill()
		return fmt.Errorf("interop: %s on %s still running %s after SIGTERM", d.Impl.Name, d.Node.Name, timeout)
	}
}

// Kill crashes the daemon: SIGKILL to every process of it at once, by PID.
func (d *Daemon) Kill() {
	pids := d.Pids()
	for _, p := range pids {
		syscall.Kill(p, syscall.SIGKILL)
	}
	d.Proc.Wait()
	// Wait until each pid is reaped, not just dead: keepalived's
	// "daemon is already running" check is kill(pid, 0) on the pid in its
	// pidfile, which still succeeds on an orphaned zombie child that init
	// has not collected yet, so a restart right after a kill would refuse.
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range pids {
		for !reaped(p) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// reaped reports whether pid no longer exists, zombie included.
func reaped(pid int) bool {
	_, _, ok := lab.ProcStat(pid)
	return !ok
}

// Stats asks for the USR2 dump and returns it once written.
func (d *Daemon) Stats() (string, error) { return d.dump(syscall.SIGUSR2, StatsPath) }

// Data asks for the USR1 dump and returns it once written.
func (d *Daemon) Data() (string, error) { return d.dump(syscall.SIGUSR1, DataPath) }

func (d *Daemon) dump(sig syscall.Signal, sys string) (string, error) {
	path := d.Node.Path(sys)
	os.Remove(path)
	if err := d.Proc.Signal(sig); err != nil {
		return "", err
	}
	deadline := time.Now().Add(3 * time.Second)
	last := -1
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			continue
		}
		// Written in pieces: done once two reads agree.
		if len(b) == last {
			return string(b), nil
		}
		last = len(b)
	}
	return "", fmt.Errorf("interop: %s on %s wrote no %s within 3 s", d.Impl.Name, d.Node.Name, sys)
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	st, _, ok := lab.ProcStat(pid)
	return ok && st != 'Z'
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
