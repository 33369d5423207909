package haproxycfg

import (
	"os"
	"strings"
	"testing"
)

// TestDefaultPathRefusedWhenItMoves: a default-path that leaves relative
// paths at the working directory builds without a notice; one that moves
// them is refused, naming where HAProxy would look.
func TestDefaultPathRefusedWhenItMoves(t *testing.T) {
	cwd, _ := os.Getwd()
	for dp, want := range map[string]string{
		"current":              "",
		"config":               "", // a.cfg has no directory: the working one
		"origin " + cwd:        "",
		"origin " + cwd + "/.": "",
		"parent":               "default-path parent (relative paths from ..,",
		"origin /":             "default-path origin (relative paths from /,",
	} {
		n := notices(buildText(t, "global\n    default-path "+dp+"\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
			"backend b\n    server s 127.0.0.1:1\n"))
		if want == "" && len(n) != 0 || want != "" && (len(n) != 1 || !strings.Contains(n[0], want)) {
			t.Errorf("default-path %s: notices %q, want %q", dp, n, want)
		}
	}
}
