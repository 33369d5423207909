package seedlab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		if os.Getenv("CI") == "true" {
			t.Fatalf("goha binaries missing: %v", err)
		}
		t.Skipf("goha binaries missing: %v", err)
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
		got := Get(s.Client.Host, BackendAddr+":"+itoa(b.Port), 2*time.Second)
		if !got.OK() || got.Body != b.Body {
			t.Errorf("GET %s:%d = %d %q %s, want 200 %q", BackendAddr, b.Port, got.Status, got.Body, got.Err, b.Body)
		}
	}
}
