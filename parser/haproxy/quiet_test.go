package haproxy

import (
	"strings"
	"testing"
)

// TestGlobalQuiet: global "quiet" cuts the printed output at the keyword
// (the exit status is unchanged) and keeps what it silenced for -V;
// -dW (zero-warning) still sees the silenced warnings, as HAProxy's does.
func TestGlobalQuiet(t *testing.T) {
	cfg := ".notice \"before\"\nglobal\n    quiet\n.notice \"after\"\nlisten l\n    bind :8000\n"
	res := CheckBytes("q.cfg", []byte(cfg), nil)
	ZeroWarning(res) // -dW
	if res.Exit != 1 || !res.Quiet {
		t.Fatalf("exit %d quiet %v, want 1 true", res.Exit, res.Quiet)
	}
	var printed []string
	for _, d := range res.Diags.List {
		if !d.Goha {
			printed = append(printed, d.Text)
		}
	}
	if len(printed) != 1 || !strings.Contains(printed[0], "'before'") {
		t.Errorf("printed %q, want only the notice before quiet", printed)
	}
	var silenced []string
	for _, d := range res.Silenced {
		silenced = append(silenced, d.Text)
	}
	all := strings.Join(silenced, "\n")
	for _, want := range []string{"'after'", "missing timeouts for proxy 'l'", "'zero-warning' is set. Aborting."} {
		if !strings.Contains(all, want) {
			t.Errorf("silenced messages lack %q:\n%s", want, all)
		}
	}
	if len(res.Stdout) != 0 {
		t.Errorf("stdout %q, want nothing", res.Stdout)
	}

	n := len(res.Diags.List) + len(res.Silenced)
	res.Unquiet() // -V
	if res.Quiet || len(res.Diags.List) != n || !strings.Contains(res.Diags.List[0].Text, "'before'") ||
		!strings.Contains(res.Diags.List[len(res.Diags.List)-1].Text, "Aborting") {
		t.Errorf("Unquiet: quiet %v, %d messages (want %d)", res.Quiet, len(res.Diags.List), n)
	}

	res = CheckBytes("q.cfg", []byte("listen l\n    bind :8000\n"), nil)
	if res.Quiet || len(res.Silenced) != 0 {
		t.Errorf("no quiet keyword: quiet %v silenced %d", res.Quiet, len(res.Silenced))
	}
}
