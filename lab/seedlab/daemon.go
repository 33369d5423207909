package seedlab

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/goha-lb/goha/lab"
)

// Daemon is one daemon started on a node: the process we started, which
// may have forked into the background, plus the pidfiles (system paths,
// read in the node's private /run) that name the processes it became.
type Daemon struct {
	Kind     string // "keepalived", "haproxy", "nginx", "backend"
	Impl     string // implementation name
	Node     *Node
	Proc     *lab.Proc
	PidFiles []string
	Started  time.Time
}

// MainPid is the process to signal to stop the daemon: the started
// process while it runs (keepalived -n, nginx), else the first pidfile's
// process (a daemonized haproxy).
func (d *Daemon) MainPid() int {
	if pidAlive(d.Proc.Pid()) {
		return d.Proc.Pid()
	}
	for _, f := range d.PidFiles {
		if pid := readPidfile(d.Node.Path(f)); pidAlive(pid) {
			return pid
		}
	}
	return 0
}

// Pids lists every live process of the daemon: the started one, those in
// its pidfiles, and all their descendants.
func (d *Daemon) Pids() []int {
	var roots []int
	if pidAlive(d.Proc.Pid()) {
		roots = append(roots, d.Proc.Pid())
	}
	for _, f := range d.PidFiles {
		if pid := readPidfile(d.Node.Path(f)); pidAlive(pid) && !slices.Contains(roots, pid) {
			roots = append(roots, pid)
		}
	}
	return append(roots, lab.Descendants(roots...)...)
}

// Running reports whether any process of the daemon is alive.
func (d *Daemon) Running() bool { return len(d.Pids()) > 0 }

// Stop sends SIGTERM to the main process (what `systemctl stop` does) and
// waits until every process of the daemon is gone, killing leftovers
// after timeout.
func (d *Daemon) Stop(timeout time.Duration) error {
	pids := d.Pids()
	if main := d.MainPid(); main > 0 {
		syscall.Kill(main, syscall.SIGTERM)
	}
	if waitGone(pids, timeout) {
		return nil
	}
	d.KillAll()
	return fmt.Errorf("seedlab: %s %s on %s did not stop within %s after SIGTERM", d.Impl, d.Kind, d.Node.Name, timeout)
}

// KillAll sends SIGKILL to every process of the daemon at once (a crash)
// and waits for them to go.
func (d *Daemon) KillAll() {
	pids := d.Pids()
	for _, p := range pids {
		syscall.Kill(p, syscall.SIGKILL)
	}
	waitGone(pids, 5*time.Second)
}

func waitGone(pids []int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		alive := false
		for _, p := range pids {
			if pidAlive(p) {
				alive = true
				break
			}
		}
		if !alive {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log is what the daemon wrote to stdout and stderr so far (keepalived
// runs with -l, so its log lines are there).
func (d *Daemon) Log() string { return d.Proc.Stdout() + d.Proc.Stderr() }

// LogHas reports whether the log contains s.
func (d *Daemon) LogHas(s string) bool { return strings.Contains(d.Log(), s) }

// waitStarted waits until ready says the daemon serves, failing early if
// the started process exits with an error (a daemonizing parent exits 0)
// or reports that its runtime is not wired.
func (d *Daemon) waitStarted(timeout time.Duration, ready func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		if strings.Contains(d.Log(), notWiredMarker) {
			return fmt.Errorf("seedlab: %s %s on %s: %w: %s", d.Impl, d.Kind, d.Node.Name, ErrNotWired, lastLines(d.Log(), 3))
		}
		select {
		case <-d.Proc.Done():
			st, _ := d.Proc.Wait()
			if st == nil || !st.Success() {
				return fmt.Errorf("seedlab: %s %s on %s exited (%v): %s", d.Impl, d.Kind, d.Node.Name, st, lastLines(d.Log(), 8))
			}
		default:
		}
		if ready() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("seedlab: %s %s on %s not ready after %s: %s", d.Impl, d.Kind, d.Node.Name, timeout, lastLines(d.Log(), 8))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
