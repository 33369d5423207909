package peers

import (
	"testing"
	"time"
)

// The section's resync as HAProxy's sync task runs it at the remote stage.
func TestResync(t *testing.T) {
	t0 := time.Unix(0, 0)
	r := NewResync(t0, "a", false)
	if r.Flags() != FlagResyncLocal|FlagResyncLocalTimeout {
		t.Fatalf("flags at start 0x%x, HAProxy shows 0x11", r.Flags())
	}
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
	r = NewResync(t0, "a", false)
	r.Assign("b")
	r.Tick(t0.Add(time.Hour))
	if r.Synced() {
		t.Error("the timeout ended a lesson under way")
	}
	r.Learned(t0.Add(time.Hour), "b", false)
	if !r.Synced() || !r.Deadline().IsZero() || r.Flags() != 0x6213 {
		t.Errorf("a finished lesson does not end the resync (flags 0x%x)", r.Flags())
	}
	// Without remote peers, HAProxy shows 0x11, then 0x33 after 5s.
	r = NewResync(t0, "a", false)
	r.Tick(t0.Add(5 * time.Second))
	if !r.Synced() || r.Flags() != 0x33 {
		t.Errorf("flags 0x%x after the remote timeout, want 0x33", r.Flags())
	}
}

// A reload: the new process waits for the old one (the local peer) before
// asking the remote peers.
func TestResyncFromOldProcess(t *testing.T) {
	t0 := time.Unix(0, 0)
	r := NewResync(t0, "a", true)
	if r.Flags() != 0 || r.Assign("b") {
		t.Fatalf("a remote peer asked while the old process may teach (flags 0x%x)", r.Flags())
	}
	if !r.Assign("a") {
		t.Fatal("the old process's session not given the lesson")
	}
	r.Learned(t0.Add(time.Second), "a", false)
	if !r.Synced() || r.Flags() != 0x1103 {
		t.Fatalf("flags 0x%x after the old process taught, want 0x1103", r.Flags())
	}
	// No old process shows up: the remote stage starts after 5s.
	r = NewResync(t0, "a", true)
	r.Tick(t0.Add(4 * time.Second))
	if r.Assign("b") {
		t.Fatal("remote asked before the local timeout")
	}
	r.Tick(t0.Add(5 * time.Second))
	if r.Flags() != 0x11 || !r.Assign("b") {
		t.Fatalf("flags 0x%x after the local timeout", r.Flags())
	}
}
