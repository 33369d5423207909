package seedlab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// A run killed before cleaning up leaves namespaces and daemonized
// processes inside them; the next run removes both, and leaves the labs
// of live processes alone.
func TestCleanupStaleKillsLeftovers(t *testing.T) {
	lab.RequireRoot(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf("%s-%d-stale", Prefix, dead.Process.Pid)
	live := fmt.Sprintf("%s-%d-live", Prefix, os.Getpid())
	for _, ns := range []string{stale, live} {
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			lab.Unavailable(t, fmt.Sprintf("ip netns add: %v: %s", err, out))
		}
	}
	t.Cleanup(func() {
		for _, ns := range []string{stale, live} {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	// The leftover "daemon": a process that keeps the stale namespace busy.
	left := exec.Command("ip", "netns", "exec", stale, "sleep", "60")
	left.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := left.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- left.Wait() }()
	t.Cleanup(func() { left.Process.Kill() })
	// ip netns pids sees it only once it is inside the namespace.
	for i := 0; i < 100; i++ {
		out, _ := exec.Command("ip", "netns", "pids", stale).Output()
		if len(out) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	removed, err := CleanupStale()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if ws, ok := left.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Errorf("leftover ended with %v, want SIGKILL", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("leftover process in the stale namespace still runs")
	}
	if _, err := os.Stat(filepath.Join("/run/netns", stale)); err == nil {
		t.Errorf("stale namespace %s still exists (removed: %v)", stale, removed)
	}
	if _, err := os.Stat(filepath.Join("/run/netns", live)); err != nil {
		t.Errorf("namespace %s of a live process was removed", live)
	}
}
