package daemon

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestJSONDumpMatchesKeepalived compares the signal-36 dump of the seed's
// lb1 as MASTER (two adverts sent) with keepalived 2.2.7's, captured in a
// namespace (testdata/keepalived-2.2.7-seed-lb1.json); only the wall-clock
// last_transition differs.
func TestJSONDumpMatchesKeepalived(t *testing.T) {
	want, err := os.ReadFile("testdata/keepalived-2.2.7-seed-lb1.json")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"))
	h.advance(4700 * time.Millisecond)
	got := h.r.json()
	ts := regexp.MustCompile(`"last_transition":[0-9.]+`)
	norm := func(s string) string { return ts.ReplaceAllString(strings.TrimSpace(s), `"last_transition":T`) }
	if norm(got) != norm(string(want)) {
		t.Errorf("JSON dump differs from keepalived's\n got %s\nwant %s", got, want)
	}
	if !ts.MatchString(got) || strings.Contains(got, `"last_transition":0,`) {
		t.Errorf("no last transition time: %s", got)
	}
}
