package proxy

import "testing"

func TestReuseAllowed(t *testing.T) {
	for _, c := range []struct {
		m          ReuseMode
		first      bool
		idle, safe bool
	}{
		{ReuseSafe, true, false, false}, {ReuseSafe, false, true, true},
		{ReuseNever, true, false, false}, {ReuseNever, false, false, false},
		{ReuseAggressive, true, false, true}, {ReuseAggressive, false, true, true},
		{ReuseAlways, true, true, true}, {ReuseAlways, false, true, true},
	} {
		if idle, safe := reuseAllowed(c.m, c.first); idle != c.idle || safe != c.safe {
			t.Errorf("%s first=%v: idle %v safe %v, want %v %v", c.m, c.first, idle, safe, c.idle, c.safe)
		}
	}
}

// TestIdleNeed: the estimate follows the connections in use at once;
// each purge closes half the excess (rounded up) plus one, the estimate
// decaying half way to the peak at each purge (the steps of
// TestIdlePurgeMatchesHAProxy).
func TestIdleNeed(t *testing.T) {
	var n idleNeed
	n.noteUsed(1)
	if !n.keep(1, 0) || n.keep(1, 1) {
		t.Fatal("one request at a time keeps one idle connection")
	}
	n.noteUsed(6)
	for used := 6; used > 0; used-- {
		if !n.keep(used, 6-used) {
			t.Fatalf("the estimate keeps %d in use + %d idle", used, 6-used)
		}
	}
	idle := 6
	for i, want := range []struct{ used, kill, est int }{{6, 0, 6}, {6, 0, 6}, {0, 0, 3}, {0, 3, 1}, {0, 2, 0}, {0, 1, 0}} {
		n.noteUsed(want.used)
		k := n.purge(0, idle)
		if k != want.kill || n.est != want.est {
			t.Fatalf("purge %d with %d idle: kill %d est %d, want %d %d", i, idle, k, n.est, want.kill, want.est)
		}
		idle -= k
	}
	if n.purge(0, 0) != 0 {
		t.Fatal("nothing to purge")
	}
}
