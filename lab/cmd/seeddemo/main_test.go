package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

func TestFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-nosuchflag"}, &out, &errb); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	t.Run("unknown implementation", func(t *testing.T) {
		testenv.Root(t) // run checks root before -impl
		errb.Reset()
		if code := run([]string{"-impl", "bogus"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown implementation "bogus"`) {
			t.Errorf("bad -impl: exit %d, stderr %q", code, errb.String())
		}
	})
}

// Ctrl-C in the middle of the demo removes the lab: its namespaces and
// every process in them, daemonized proxies included.
func TestInterruptCleansUp(t *testing.T) {
	lab.RequireRoot(t)
	testenv.LookPath(t, "haproxy")
	bin := filepath.Join(t.TempDir(), "seeddemo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-impl", "reference")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	// Wait until keepalived is being started: the proxies then run,
	// daemonized, in lb1 and lb2.
	reached := make(chan bool, 1)
	var seen bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "== 4.") {
				reached <- true
				io.Copy(io.Discard, stdout)
				return
			}
		}
		reached <- false
	}()
	select {
	case ok := <-reached:
		if !ok {
			t.Fatalf("demo ended before step 4:\n%s\n%s", seen.String(), stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("demo did not reach step 4:\n%s", seen.String())
	}
	var pids []int
	var names []string
	for _, h := range []string{"backend", "lb1", "lb2"} {
		ns := fmt.Sprintf("seed-%d-%s", cmd.Process.Pid, h)
		names = append(names, ns)
		out, err := exec.Command("ip", "netns", "pids", ns).Output()
		if err != nil {
			t.Fatalf("ip netns pids %s: %v", ns, err)
		}
		for _, f := range strings.Fields(string(out)) {
			p, _ := strconv.Atoi(f)
			pids = append(pids, p)
		}
	}
	if len(pids) < 3 {
		t.Fatalf("expected backend and proxies running, found pids %v", pids)
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("interrupted demo: %v, want exit 1", err)
	}
	if !strings.Contains(stderr.String(), "interrupted, cleaning up the lab") {
		t.Errorf("stderr %q", stderr.String())
	}
	for _, ns := range names {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err == nil {
			t.Errorf("namespace %s left behind", ns)
			exec.Command("ip", "netns", "del", ns).Run()
		}
	}
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err == nil && !bytes.Contains(b, []byte(") Z ")) {
			t.Errorf("process %d left running: %s", p, b)
			syscall.Kill(p, syscall.SIGKILL)
		}
	}
}
