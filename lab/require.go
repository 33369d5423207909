package lab

import (
	"os"
	"os/exec"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// RequireRoot skips t unless the process can build labs (root, iproute2,
// namespaces). When the environment has CI=true a missing prerequisite is
// a failure instead, so CI can never pass by skipping.
func RequireRoot(t testing.TB) {
	t.Helper()
	if reason := missing(); reason != "" {
		Unavailable(t, reason)
	}
}

// Unavailable skips, or fails under CI=true, with reason. Use it when lab
// setup itself fails.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	testenv.Missing(t, "lab unavailable: "+reason)
}

func missing() string {
	if os.Geteuid() != 0 {
		return "needs root"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "needs iproute2 (ip)"
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		return "kernel without network namespaces"
	}
	return ""
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
