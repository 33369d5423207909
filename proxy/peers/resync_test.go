package peers

import (
	"testing"
	"time"
)

// The section's resync as HAProxy's sync task runs it at the remote stage.
func TestResync(t *testing.T) {
	t0 := time.Unix(0, 0)
	if !NewResync(t0, 0).Synced() {
		t.Error("a section without remote peers is not synced at once")
	}
	r := NewResync(t0, 2)
	if !r.Assign("b") || r.Assign("c") {
		t.Fatal("one lesson at a time")
	}
	r.Learned(t0.Add(time.Second), "b", true) // partial: b is not up to date
	if r.Synced() || r.Assign("b") {
		t.Fatal("a partial teacher is asked again")
	}
	if !r.Assign("c") {
		t.Fatal("another peer not asked after a partial lesson")
	}
	r.Aborted(t0.Add(2*time.Second), "c")
	r.Tick(t0.Add(6 * time.Second))
	if r.Synced() {
		t.Fatal("synced before the timeout re-armed by the abort")
	}
	r.Tick(t0.Add(7 * time.Second))
	if !r.Synced() {
		t.Fatal("not synced 5s after the last abort with nobody to ask")
	}
	r = NewResync(t0, 1)
	r.Assign("b")
	r.Tick(t0.Add(time.Hour))
	if r.Synced() {
		t.Error("the timeout ended a lesson under way")
	}
	r.Learned(t0.Add(time.Hour), "b", false)
	if !r.Synced() || !r.Deadline().IsZero() {
		t.Error("a finished lesson does not end the resync")
	}
}
