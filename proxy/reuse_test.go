package proxy

import (
	"testing"
	"time"
)

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

// TestIdleNeed: the estimate follows the peak in use at once (no purge
// needed), bounds in use + idle, and decays half way at each purge.
func TestIdleNeed(t *testing.T) {
	t0 := time.Unix(0, 0)
	var n idleNeed
	if !n.keep(t0, 1, 0) || n.keep(t0, 1, 1) {
		t.Fatal("with nothing noted, only the connection in use is kept")
	}
	n.noteUsed(3)
	if n.est != 3 || !n.keep(t0, 3, 0) || !n.keep(t0, 2, 1) || !n.keep(t0, 1, 2) || n.keep(t0, 1, 3) {
		t.Fatalf("est %d after 3 in use: up to 3 in use + idle are kept before any purge", n.est)
	}
	n.tick(t0.Add(idlePurgeDelay), 0, true)
	if n.est != 3 || n.maxUsed != 0 {
		t.Fatalf("after the purge est %d maxUsed %d, want 3 0", n.est, n.maxUsed)
	}
	if !n.keep(t0, 1, 2) || n.keep(t0, 1, 3) {
		t.Fatal("the estimate bounds in use + idle")
	}
	n.noteUsed(1)
	n.tick(t0.Add(2*idlePurgeDelay), 0, true)
	if n.est != 2 {
		t.Fatalf("est %d, want (3+1)/2 = 2", n.est)
	}
}
