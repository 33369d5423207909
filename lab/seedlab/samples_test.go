package seedlab

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ok := func(ms int, body string) Sample { return Sample{Start: at(ms), Status: 200, Body: body} }
	bad := func(ms int) Sample { return Sample{Start: at(ms), Err: "timeout"} }
	status := func(ms, code int) Sample { return Sample{Start: at(ms), Status: code} }
	tests := []struct {
		name      string
		samples   []Sample
		end       int
		failed    int
		gap       time.Duration
		recovered bool
	}{
		{"all ok", []Sample{ok(0, "a"), ok(50, "b"), ok(100, "c")}, 150, 0, 0, true},
		{"one run", []Sample{ok(0, "a"), bad(50), bad(100), ok(150, "b")}, 200, 2, 150 * time.Millisecond, true},
		{"longest of two runs", []Sample{ok(0, "a"), bad(50), ok(100, "a"), bad(150), bad(200), bad(250), ok(300, "a")}, 350, 4, 200 * time.Millisecond, true},
		{"5xx counts as failure", []Sample{ok(0, "a"), status(50, 503), ok(100, "a")}, 150, 1, 100 * time.Millisecond, true},
		{"never recovers", []Sample{ok(0, "a"), ok(50, "a"), bad(100), bad(150)}, 400, 2, 350 * time.Millisecond, false},
		{"fails from the start", []Sample{bad(0), bad(50), ok(100, "a")}, 150, 2, 100 * time.Millisecond, true},
		{"nothing", nil, 100, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.samples, t0, at(tt.end))
			if s.Failed != tt.failed || s.Gap != tt.gap || s.Recovered != tt.recovered || s.Total != len(tt.samples) {
				t.Errorf("got failed=%d gap=%s recovered=%v total=%d, want failed=%d gap=%s recovered=%v total=%d",
					s.Failed, s.Gap, s.Recovered, s.Total, tt.failed, tt.gap, tt.recovered, len(tt.samples))
			}
		})
	}
}

func TestSummarizeBodies(t *testing.T) {
	t0 := time.Now()
	var ss []Sample
	for i, b := range []string{"server1", "server2", "server3", "server1"} {
		ss = append(ss, Sample{Start: t0.Add(time.Duration(i) * time.Millisecond), Status: 200, Body: b})
	}
	s := Summarize(ss, t0, t0.Add(time.Second))
	if s.Bodies["server1"] != 2 || s.Bodies["server2"] != 1 || s.Bodies["server3"] != 1 {
		t.Errorf("bodies %v", s.Bodies)
	}
}
