package sink

import (
	"strings"
	"testing"
	"time"
)

func TestRingDropsOldest(t *testing.T) {
	r := NewRing(11)
	for _, l := range []string{"aaa", "bbb", "ccc", "dd"} {
		r.Add(l)
	}
	if got := r.Dump(); got != "bbb\nccc\ndd\n" {
		t.Fatalf("%q", got)
	}
	r.Add(strings.Repeat("x", 11)) // larger than the ring: not kept
	if got := r.Dump(); got != "bbb\nccc\ndd\n" {
		t.Fatalf("%q", got)
	}
}

func TestTimed(t *testing.T) {
	at := time.Date(2026, 12, 6, 15, 32, 54, 525604000, time.UTC)
	if got, want := Timed(0, at, "[debug] : type=str <a>"), "<0>2026-12-06T15:32:54.525604+00:00 [debug] : type=str <a>"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
