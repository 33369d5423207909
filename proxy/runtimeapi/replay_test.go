package runtimeapi

import (
	"strings"
	"testing"
)

// TestReplayHAProxySession sends the commands of a session recorded
// against HAProxy 2.6.12 (admin socket, same configuration) to a Session
// over the fake source, and requires byte-identical answers. `show info`
// is left out here (pid, uptime and memory differ by nature).
func TestReplayHAProxySession(t *testing.T) {
	src := newFakeSource()
	n := 0
	for _, c := range readCaptures(t, "session-admin.txt") {
		if strings.Contains(c.cmd, "show info") || strings.Contains(c.cmd, "prompt") {
			continue
		}
		n++
		got, done := NewSession(src, LevelAdmin).Exec(c.cmd + "\n")
		if !done {
			t.Errorf("%q: connection not closed after a non-interactive line", c.cmd)
		}
		if string(got) != c.out {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), c.out))
		}
	}
	if n < 30 {
		t.Fatalf("only %d captures replayed", n)
	}
}

// describeDiff names the first differing line and, for CSV lines, the
// differing columns.
func describeDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g == w {
			continue
		}
		gf, wf := strings.Split(g, ","), strings.Split(w, ",")
		if len(gf) == len(wf) && len(gf) == len(statColumns)+1 {
			var d []string
			for j := range gf {
				if gf[j] != wf[j] {
					d = append(d, statColumns[j]+": got "+gf[j]+" want "+wf[j])
				}
			}
			return "line " + itoa(i+1) + " (" + gf[0] + "/" + gf[1] + "): " + strings.Join(d, "; ")
		}
		return "line " + itoa(i+1) + ":\n got " + g + "\nwant " + w
	}
	return "same lines, different bytes"
}
