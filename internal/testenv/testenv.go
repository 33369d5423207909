// Package testenv decides what a test does when its environment (root, a
// reference daemon, network namespaces) is missing: skip on a developer's
// machine, fail under CI=true, where `make test` promised that environment
// (make deps installs the reference daemons, CI runs as root).
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Missing skips t with why, or fails it under CI=true.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
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
