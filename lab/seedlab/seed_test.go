package seedlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// newSeedForTest builds a seed lab for t: skipped (failed under CI=true)
// when labs cannot be built, skipped with a clear message while a goha
// binary reports its runtime is not wired yet.
func newSeedForTest(t *testing.T, opts Options) *Seed {
	t.Helper()
	lab.RequireRoot(t)
	if opts.Backend == BackendCommand && opts.BackendArgv == nil {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		opts.BackendArgv = []string{"env", backendEnv + "=1", exe}
	}
	s, err := New(opts)
	if errors.Is(err, ErrUnavailable) {
		lab.Unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			s.dumpLogs(t)
		}
		if err := s.Close(); err != nil {
			t.Errorf("seed close: %v", err)
		}
	})
	return s
}

// skipNotWired skips while goha's runtime is not wired yet; any other
// error fails the test.
func skipNotWired(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrNotWired) {
		t.Skipf("goha runtime not wired yet: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func gohaImpl(t *testing.T) Impl {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	impl := Goha(filepath.Join(root, "bin"))
	if err := impl.check(); err != nil {
		testenv.Missing(t, "goha binaries missing: "+err.Error())
	}
	return impl
}

func (s *Seed) dumpLogs(t *testing.T) {
	s.mu.Lock()
	ds := append([]*Daemon(nil), s.daemons...)
	s.mu.Unlock()
	for _, d := range ds {
		t.Logf("--- %s %s on %s:\n%s", d.Impl, d.Kind, d.Node.Name, lastLines(d.Log(), 40))
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPrivateMountsDoNotLeak(t *testing.T) {
	s := newSeedForTest(t, Options{LB1: Reference(), LB2: Reference()})
	ctx := ctxT(t)
	marker := "seedlab-private-" + filepath.Base(s.LB1.Dir)
	if err := s.LB1.WriteFile("/etc/haproxy/marker", []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := s.LB1.Command(ctx, s.LB1.PrivateArgv("cat", "/etc/haproxy/marker")...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != marker {
		t.Fatalf("inside the private mount namespace: %q %v", out, err)
	}
	// ip netns exec remounted /sys for the host's namespace; the private
	// mount namespace inherits that view.
	out, err = s.LB1.Command(ctx, s.LB1.PrivateArgv("ls", "/sys/class/net")...).CombinedOutput()
	if err != nil || strings.Join(strings.Fields(string(out)), " ") != "ens160 lo" {
		t.Errorf("/sys/class/net inside lb1: %q %v, want ens160 lo", out, err)
	}
	// The seed's /var/run paths land in the private /run.
	out, err = s.LB1.Command(ctx, s.LB1.PrivateArgv("sh", "-c", "echo 42 > /var/run/seedlab-test.pid")...).CombinedOutput()
	if err != nil || readPidfile(s.LB1.Path("/run/seedlab-test.pid")) != 42 {
		t.Errorf("write through /var/run: %q %v", out, err)
	}
	if _, err := os.Stat("/run/seedlab-test.pid"); err == nil {
		t.Error("/run/seedlab-test.pid is visible in the root mount namespace")
	}
	if _, err := os.Stat(filepath.Join("/etc/netns", s.LB1.NS)); err == nil {
		t.Error("an /etc/netns overlay exists for lb1; the lab must not need one")
	}
	if _, err := os.Stat("/etc/haproxy/marker"); err == nil {
		t.Fatal("/etc/haproxy/marker is visible in the root mount namespace")
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mounts), s.Lab.Dir()) {
		t.Fatalf("a lab bind mount leaked into the root mount namespace")
	}
}

// A proxy that does not start aborts the walk: the demo then exits 1.
func TestScenarioAbortsOnBrokenProxy(t *testing.T) {
	broken := Impl{Name: "broken", Keepalived: "keepalived", Haproxy: "false"}
	s := newSeedForTest(t, Options{LB1: broken, LB2: broken, Backend: BackendCommand})
	sc := NewScenario(s, io.Discard)
	err := sc.Run(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "haproxy on lb1 exited") {
		t.Fatalf("Run = %v, want the proxy start failure", err)
	}
	if sc.OK() {
		t.Error("OK() after an aborted walk")
	}
	last := sc.Steps[len(sc.Steps)-1]
	if last.Name != "abort" || last.OK {
		t.Errorf("last step %+v, want a failed abort step", last)
	}
}

func TestBackendsNginx(t *testing.T) {
	s := newSeedForTest(t, Options{LB1: Reference(), LB2: Reference(), Backend: BackendNginx})
	assertBackends(t, s)
}

func TestBackendsBuiltin(t *testing.T) {
	s := newSeedForTest(t, Options{LB1: Reference(), LB2: Reference(), Backend: BackendCommand})
	assertBackends(t, s)
}

// Tutorial check 1: curl 192.168.110.33:80|81|82 returns server1|2|3.
func assertBackends(t *testing.T, s *Seed) {
	t.Helper()
	for _, b := range BackendPorts {
		got := Get(s.Client.Host, fmt.Sprintf("%s:%d", BackendAddr, b.Port), 2*time.Second)
		if !got.OK() || got.Body != b.Body {
			t.Errorf("GET %s:%d = %d %q %s, want 200 %q", BackendAddr, b.Port, got.Status, got.Body, got.Err, b.Body)
		}
	}
}
