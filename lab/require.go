package lab

import (
	"os"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// RequireRoot skips t unless the process can build labs (root, iproute2,
// namespaces). When the environment has CI=true a missing prerequisite is
// a failure instead, so CI can never pass by skipping (internal/testenv).
func RequireRoot(t testing.TB) {
	t.Helper()
	testenv.Root(t)
	testenv.LookPath(t, "ip")
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		Unavailable(t, "kernel without network namespaces")
	}
}

// Unavailable skips, or fails under CI=true, with reason. Use it when lab
// setup itself fails.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	testenv.Missing(t, "lab unavailable: "+reason)
}

// NewForTest creates a lab for t, skipping (or failing under CI=true) when
// labs are unavailable, and closes it when t ends.
func NewForTest(t testing.TB, prefix string) *Lab {
	t.Helper()
	RequireRoot(t)
	l, err := New(prefix)
	if err != nil {
		Unavailable(t, err.Error())
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("lab close: %v", err)
		}
	})
	return l
}
