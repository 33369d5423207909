package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

var checkPID = regexp.MustCompile(`\((\d+)\)`)

// checkOutput is -c output made comparable between the two daemons: the
// process ids become (PID) and the NOTICE lines (version and executable
// path, which differ by design) are dropped.
func checkOutput(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(checkPID.ReplaceAllString(s, "(PID)"), "\n") {
		if !strings.Contains(l, "[NOTICE]") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// checkBoth runs `-c -f cfg` with the real haproxy (hp) and with gohaproxy
// (in process) and returns both exit codes and checkOutput of both. goha's
// stderr comes first: HAProxy prints its warnings before the verdict.
func checkBoth(t *testing.T, hp, cfg string) (hcode int, want string, code int, got string) {
	t.Helper()
	out, err := exec.Command(hp, "-c", "-f", cfg).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		hcode = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	code, o, e := runArgs("-c", "-f", cfg)
	return hcode, checkOutput(string(out)), code, checkOutput(e + o)
}
