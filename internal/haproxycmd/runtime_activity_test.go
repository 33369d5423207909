package haproxycmd

import (
	"regexp"
	"strings"
	"testing"
)

// shapeOf reduces an output to its lines with every number, pointer and
// date replaced: what two processes with different figures share.
func shapeOf(out string) []string {
	num := regexp.MustCompile(`0x[0-9a-f]+|[0-9]+(\.[0-9]+)?`)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		lines = append(lines, num.ReplaceAllString(l, "N"))
	}
	return lines
}

// `show activity`, `show pools` and `show tasks` have HAProxy 2.6's
// lines, field names and order (goha's own figures in them), and the
// same help and access answers.
func TestShowActivityPoolsTasksShapeMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	p.same(t, "help show activity", "help show pools", "help show tasks", "help add server", "help del server",
		"user; add server be/x 127.0.0.1:80", "operator; del server be/s1")
	for _, cmd := range []string{"show activity", "show tasks", "user; show activity", "user; show tasks"} {
		ha, goha := p.both(t, cmd)
		diffLines(t, cmd, shapeOf(ha), shapeOf(goha))
	}
	// show pools: HAProxy's pools are its own; the header, each pool
	// line's form and the total line are the same
	ha, goha := p.both(t, "show pools")
	pool := regexp.MustCompile(`^  - Pool [a-z0-9_]{1,11} \(\d+ bytes\) : \d+ allocated \(\d+ bytes\), \d+ used \(~\d+ by thread caches\), needed_avg \d+, \d+ failures, \d+ users, @0x[0-9a-f]+( \[SHARED\])?$`)
	for name, out := range map[string]string{"haproxy": ha, "goha": goha} {
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) < 3 || lines[0] != "Dumping pools usage. Use SIGQUIT to flush them." ||
			shapeOf(lines[len(lines)-1])[0] != "Total: N pools, N bytes allocated, N used (~N by thread caches)." {
			t.Errorf("%s: show pools %q", name, out)
			continue
		}
		for _, l := range lines[1 : len(lines)-1] {
			if !pool.MatchString(l) {
				t.Errorf("%s: pool line %q", name, l)
			}
		}
	}
	if !strings.Contains(goha, "Pool buffer (16384 bytes) : ") {
		t.Errorf("goha's show pools lacks its 16k buffers: %q", goha)
	}
}
