package lab

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

// ProcStat reads this process; Descendants finds a child it started.
func TestProcStatAndDescendants(t *testing.T) {
	st, ppid, ok := ProcStat(os.Getpid())
	if !ok || st == 'Z' || ppid != os.Getppid() {
		t.Fatalf("ProcStat(self) = %q %d %v, want a live process, ppid %d", st, ppid, ok, os.Getppid())
	}
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if d := Descendants(os.Getpid()); !slices.Contains(d, cmd.Process.Pid) {
		t.Errorf("Descendants(self) = %v, lacks the child %d", d, cmd.Process.Pid)
	}
	if _, _, ok := ProcStat(-1); ok {
		t.Error("ProcStat(-1) ok")
	}
}
