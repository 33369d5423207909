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

// TestReplayHAProxyOperatorSocket replays a session on a socket without
// `level` (HAProxy's default, operator): admin commands are refused.
func TestReplayHAProxyOperatorSocket(t *testing.T) {
	src := newOperatorFakeSource()
	n := 0
	for _, c := range readCaptures(t, "session-operator.txt") {
		if strings.Contains(c.cmd, "prompt") || strings.HasPrefix(c.cmd, "foo") {
			continue // full HAProxy command list / fuzzy suggestions: layout tested elsewhere
		}
		n++
		got, _ := NewSession(src, LevelOperator).Exec(c.cmd)
		if string(got) != c.out {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), c.out))
		}
	}
	if n < 10 {
		t.Fatalf("only %d captures replayed", n)
	}
	if len(src.calls) != 0 {
		t.Errorf("operator level changed state: %v", src.calls)
	}
}

// TestReplayHAProxyAdminWeights replays weight and state changes on the
// operator configuration through an admin socket: static-rr weights,
// percentages, clamping, a `disabled` server enabled, a backend going
// down.
func TestReplayHAProxyAdminWeights(t *testing.T) {
	src := newOperatorFakeSource()
	n := 0
	for _, c := range readCaptures(t, "session-admin-operatorcfg.txt") {
		if strings.Contains(c.cmd, " health ") {
			continue // not supported by gohaproxy (answered with a message)
		}
		n++
		got, _ := NewSession(src, LevelAdmin).Exec(c.cmd)
		// The skipped `set server servers/web2 health up` raised web2's
		// check health to rise+fall-1 (4); without it web2 keeps 2.
		want := strings.ReplaceAll(c.out, "3 5 1 1 0 4 0", "3 5 1 1 0 2 0")
		if string(got) != want {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), want))
		}
	}
	if n < 20 {
		t.Fatalf("only %d captures replayed", n)
	}
}

// TestReplayHAProxyMiscSession: levels lowered within a line, quit in the
// middle of a line, help filters, extra spaces.
func TestReplayHAProxyMiscSession(t *testing.T) {
	n := 0
	for _, c := range readCaptures(t, "session-misc.txt") {
		switch c.cmd {
		case "show", "set", "show servers state;", "show info json":
			continue // HAProxy's full command list, or formats gohaproxy does not produce
		}
		n++
		got, _ := NewSession(newFakeSource(), LevelAdmin).Exec(c.cmd + "\n")
		if string(got) != c.out {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), c.out))
		}
	}
	if n < 7 {
		t.Fatalf("only %d captures replayed", n)
	}
}

// TestReplayHAProxyStatFilters: `show stat <proxy> <type> <sid>`.
func TestReplayHAProxyStatFilters(t *testing.T) {
	n := 0
	for _, c := range readCaptures(t, "session-statfilter.txt") {
		n++
		got, _ := NewSession(newOperatorFakeSource(), LevelAdmin).Exec(c.cmd)
		if string(got) != c.out {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), c.out))
		}
	}
	if n < 10 {
		t.Fatalf("only %d captures replayed", n)
	}
}

// TestReplayHAProxyChecks: servers with HTTP checks (up, and down with
// "Connection refused"), maxconn/maxqueue, a listen section; CSV, typed
// and servers state. HAProxy counts its health-check connections in the
// backend's h1_* counters, which gohaproxy leaves at 0: those four
// values are taken out of the comparison.
func TestReplayHAProxyChecks(t *testing.T) {
	h1 := strings.NewReplacer(",12,12,681,108,0,0,", ",0,0,0,0,0,0,",
		"h1_total_connections.1:MCP:u64:12", "h1_total_connections.1:MCP:u64:0",
		"h1_total_streams.1:MCP:u64:12", "h1_total_streams.1:MCP:u64:0",
		"h1_bytes_in.1:MCP:u64:681", "h1_bytes_in.1:MCP:u64:0",
		"h1_bytes_out.1:MCP:u64:108", "h1_bytes_out.1:MCP:u64:0")
	n := 0
	for _, c := range readCaptures(t, "session-checks.txt") {
		n++
		got, _ := NewSession(newChecksFakeSource(), LevelAdmin).Exec(c.cmd + "\n")
		if want := h1.Replace(c.out); string(got) != want {
			t.Errorf("%q: %s", c.cmd, describeDiff(string(got), want))
		}
	}
	if n != 3 {
		t.Fatalf("%d captures replayed, want 3", n)
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
