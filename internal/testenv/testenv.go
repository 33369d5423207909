// Package testenv decides what a test does when its environment (root, a
// reference daemon, network namespaces, installed documentation) is
// missing: skip on a developer's machine, fail under CI=true, where `make
// test` promised that environment (make deps installs the reference daemons
// and tools, CI runs as root). It is the only place tests read CI or check
// for root or a command, so no test can pass in CI by skipping.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the environment is promised: CI=true.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing skips t with why, or fails it under CI=true.
func Missing(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s (CI=true: this test must run)", why)
	}
	t.Skip(why)
}

// LookPath returns the path of a reference command, or stops t through
// Missing when it is not installed.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" not installed")
	}
	return p
}

// Optional returns the path of a reference command a test compares with
// when it is installed: the test runs its own checks either way and the
// comparison only when ok. A missing command is logged, or under CI=true
// fails t (the rest of the test still runs).
func Optional(t testing.TB, name string) (path string, ok bool) {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p, true
	}
	if InCI() {
		t.Errorf("%s not installed: the comparison with it cannot run (CI=true: it must)", name)
	} else {
		t.Logf("%s not installed: the comparison with it is skipped", name)
	}
	return "", false
}

// Root stops t through Missing unless the test runs as root.
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root")
	}
}
