package daemon

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// nextFileEvent waits for the track_file watcher's next event, moving the
// harness clock (if tick) so that a settling read can happen; it fails the
// test if none comes (bounded: 500 rounds).
func (h *harness) nextFileEvent(tick bool) fileEvent {
	h.t.Helper()
	for range 500 {
		select {
		case ev := <-h.r.events:
			if e, ok := ev.(fileEvent); ok {
				return e
			}
			continue
		default:
		}
		time.Sleep(10 * time.Millisecond)
		if tick {
			h.advance(h.clock + fileSettle)
		}
	}
	h.t.Fatal("no track_file event")
	return fileEvent{}
}

// TestTrackFileWatched: a track_file is followed as keepalived follows it
// with inotify on its directory: a write, a file renamed over it, its
// deletion (0) and its re-creation each reach the instance, which changes
// its effective priority, or enters FAULT at -254 or below. A deletion is
// seen with the clock standing still: it is watched, not polled.
func TestTrackFileWatched(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "track")
	if err := os.WriteFile(file, []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, configFrom(t, `
vrrp_track_file tf { file "`+file+`" }
vrrp_instance A { interface ens160
 virtual_router_id 51
 priority 100
 track_file { tf weight 5 }
 virtual_ipaddress { 192.168.110.100/24 } }
`))
	h.takeLogs()
	// watched: the change must be seen with the clock standing still
	// (deletions); the others settle on the clock first.
	step := func(what string, change func() error, watched bool, value int, prio uint8, state vrrp.State) {
		t.Helper()
		if err := change(); err != nil {
			t.Fatal(err)
		}
		e := h.nextFileEvent(!watched)
		if e != (fileEvent{name: "tf", value: value}) {
			t.Fatalf("%s: event %+v, want value %d", what, e, value)
		}
		h.r.handle(e, h.clock)
		in := h.r.byName["A"]
		if in.m.Priority() != prio || in.m.State() != state {
			t.Errorf("%s: priority %d state %s, want %d %s", what, in.m.Priority(), in.m.State(), prio, state)
		}
	}
	write := func(s string) func() error { return func() error { return os.WriteFile(file, []byte(s), 0o644) } }

	// A write is read once it has settled on the clock, never half done.
	if err := os.WriteFile(file, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	select {
	case ev := <-h.r.events:
		t.Fatalf("read before the write settled: %+v", ev)
	default:
	}
	step("written 3", func() error { return nil }, false, 3, 115, vrrp.StateBackup)
	if logs := h.takeLogs(); !slices.Contains(logs, "(A) Changing effective priority from 100 to 115") {
		t.Errorf("logs %q", logs)
	}
	step("renamed over with 1", func() error {
		tmp := filepath.Join(dir, ".track.new")
		if err := os.WriteFile(tmp, []byte("1\n"), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, file)
	}, false, 1, 105, vrrp.StateBackup)
	step("deleted", func() error { return os.Remove(file) }, true, 0, 100, vrrp.StateBackup)
	step("created with -60", write("-60\n"), false, -60, 100, vrrp.StateFault)
	step("written 2", write("2\n"), false, 2, 110, vrrp.StateBackup)
	step("moved away", func() error { return os.Rename(file, filepath.Join(dir, "elsewhere")) }, true, 0, 100, vrrp.StateBackup)
	step("written 4", write("4\n"), false, 4, 120, vrrp.StateBackup)
	step("unreadable content", write("x\n"+strings.Repeat("7", 3)), false, 0, 100, vrrp.StateBackup)
}
