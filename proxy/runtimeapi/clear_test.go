package runtimeapi

import "testing"

type clearingSource struct {
	fakeSource
	calls []bool
}

func (c *clearingSource) ClearCounters(all bool) { c.calls = append(c.calls, all) }

func TestClearCounters(t *testing.T) {
	for _, c := range []struct {
		level     Level
		cmd, want string
		calls     int
	}{
		{LevelUser, "clear counters", "Permission denied\n\n", 0},
		{LevelOperator, "clear counters", "\n", 1},
		{LevelOperator, "clear counters all", "Permission denied\n\n", 0},
		{LevelAdmin, "clear counters all", "\n", 1},
	} {
		src := &clearingSource{fakeSource: *newFakeSource()}
		out, _ := NewSession(src, c.level).Exec(c.cmd)
		if string(out) != c.want || len(src.calls) != c.calls {
			t.Errorf("%v %s: %q, %d calls", c.level, c.cmd, out, len(src.calls))
		}
		if c.calls == 1 && src.calls[0] != (c.cmd == "clear counters all") {
			t.Errorf("%s: all=%v", c.cmd, src.calls[0])
		}
	}
	// A Source that cannot clear says so instead of answering success.
	out, _ := NewSession(newFakeSource(), LevelAdmin).Exec("clear counters all")
	if string(out) != errNotSupported+"\n" {
		t.Errorf("without CounterClearer: %q", out)
	}
}
