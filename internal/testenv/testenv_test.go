package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const absentCommand = "goha-testenv-no-such-command"

// children are the calls whose outcome depends on CI; each runs in a child
// process (TESTENV_CHILD names it) so a skip or failure can be observed.
var children = map[string]func(t *testing.T){
	"Missing":  func(t *testing.T) { Missing(t, "no such thing") },
	"LookPath": func(t *testing.T) { LookPath(t, absentCommand) },
	"Optional": func(t *testing.T) {
		if _, ok := Optional(t, absentCommand); ok {
			t.Error("Optional found a command that does not exist")
		}
		t.Log("after Optional") // the test goes on after a missing comparison
	},
}

func TestChild(t *testing.T) {
	f := children[os.Getenv("TESTENV_CHILD")]
	if f == nil {
		t.Skip("run by TestMissingEnvironment in a child process")
	}
	f(t)
}

// Under CI=true a missing environment fails the test; otherwise it skips
// (Missing, LookPath) or goes on without the comparison (Optional).
func TestMissingEnvironment(t *testing.T) {
	for _, tc := range []struct {
		child, ci string
		wantFail  bool
		wantOut   string
	}{
		{"Missing", "true", true, "CI=true: this test must run"},
		{"Missing", "", false, "SKIP"},
		{"LookPath", "true", true, absentCommand + " not installed"},
		{"LookPath", "", false, "SKIP"},
		{"Optional", "true", true, "after Optional"},
		{"Optional", "", false, "after Optional"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD="+tc.child, "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail || !strings.Contains(string(out), tc.wantOut) {
			t.Errorf("%s with CI=%q: failed=%v (want %v), output without %q:\n%s", tc.child, tc.ci, failed, tc.wantFail, tc.wantOut, out)
		}
	}
}

func TestLookPathFound(t *testing.T) {
	if p := LookPath(t, "sh"); p == "" {
		t.Error("LookPath(sh) is empty")
	}
	if p, ok := Optional(t, "sh"); !ok || p == "" {
		t.Errorf("Optional(sh) = %q, %v", p, ok)
	}
}
