package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Under CI=true a missing environment fails the test; otherwise it skips.
// Run in a child process so the outcome can be observed.
func TestMissing(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		Missing(t, "no such thing")
		return
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
	}{{"true", true}, {"", false}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail {
			t.Errorf("CI=%q: failed=%v, want %v\n%s", tc.ci, failed, tc.wantFail, out)
		}
	}
}
