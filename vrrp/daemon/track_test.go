package daemon

import "testing"

// TestTrackState is keepalived's weight arithmetic: a positive weight is
// added while the tracked object is fine, a negative one while it fails,
// reverse swaps fine and failing, weight 0 failing is FAULT; a track_file
// value is multiplied by its weight and FAULT at -254 or below.
func TestTrackState(t *testing.T) {
	r := New(&Config{}, Options{})
	r.linkUp = map[string]bool{"up": true, "down": false}
	r.scripts = map[string]*scriptState{"ok": {known: true, ok: true}, "bad": {known: true, ok: false}}
	r.files = map[string]int{"zero": 0, "two": 2, "big": 100}
	for _, tc := range []struct {
		name  string
		spec  InstanceSpec
		delta int
		fault bool
	}{
		{"nothing", InstanceSpec{}, 0, false},
		{"interface up, +10", InstanceSpec{TrackInterfaces: []Tracker{{Name: "up", Weight: 10}}}, 10, false},
		{"interface down, +10", InstanceSpec{TrackInterfaces: []Tracker{{Name: "down", Weight: 10}}}, 0, false},
		{"interface down, -10", InstanceSpec{TrackInterfaces: []Tracker{{Name: "down", Weight: -10}}}, -10, false},
		{"interface up, -10 reverse", InstanceSpec{TrackInterfaces: []Tracker{{Name: "up", Weight: -10, Reverse: true}}}, -10, false},
		{"interface down, weight 0", InstanceSpec{TrackInterfaces: []Tracker{{Name: "down"}}}, 0, true},
		{"interface up, weight 0 reverse", InstanceSpec{TrackInterfaces: []Tracker{{Name: "up", Reverse: true}}}, 0, true},
		{"scripts", InstanceSpec{TrackScripts: []Tracker{{Name: "ok", Weight: 5}, {Name: "bad", Weight: -20}, {Name: "bad", Weight: 7}}}, -15, false},
		{"failing unweighted script", InstanceSpec{TrackScripts: []Tracker{{Name: "bad"}}}, 0, true},
		{"file 0, weight 0", InstanceSpec{TrackFiles: []Tracker{{Name: "zero"}}}, 0, false},
		{"file 2, weight 0", InstanceSpec{TrackFiles: []Tracker{{Name: "two"}}}, 0, true},
		{"file 2, weight -10", InstanceSpec{TrackFiles: []Tracker{{Name: "two", Weight: -10}}}, -20, false},
		{"file 2, weight -10 reverse", InstanceSpec{TrackFiles: []Tracker{{Name: "two", Weight: -10, Reverse: true}}}, 20, false},
		{"file 100, weight -3: fault", InstanceSpec{TrackFiles: []Tracker{{Name: "big", Weight: -3}}}, 0, true},
	} {
		d, f := r.trackState(&inst{spec: tc.spec})
		if d != tc.delta || f != tc.fault {
			t.Errorf("%s: delta %d fault %v, want %d %v", tc.name, d, f, tc.delta, tc.fault)
		}
	}
}
