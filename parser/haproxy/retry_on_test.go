package haproxy

import (
	"strings"
	"testing"
)

// retry-on's errors, as haproxy 2.6.12 -c prints them (checked with the
// Debian package), and what a valid line and option redispatch give.
func TestRetryOn(t *testing.T) {
	base := "defaults\n mode http\nbackend b\n"
	for _, tc := range []struct {
		line, alert string
		words       []string
		every       int
	}{
		{"retry-on none conn-failure", "parsing [r.cfg:4] : 'retry-on' 'none' keyworld only usable alone", nil, 0},
		{"retry-on foo", "parsing [r.cfg:4] : 'retry-on': unknown keyword 'foo'", nil, 0},
		{"retry-on", "parsing [r.cfg:4] : 'retry-on' needs at least one keyword to specify when to retry", nil, 0},
		{"retry-on conn-failure 503", "", []string{"conn-failure", "503"}, 0},
		{"option redispatch", "", nil, -1},
		{"option redispatch 3", "", nil, 3},
		{"option redispatch -2", "", nil, -2},
		{"option redispatch x", "", nil, 0},
	} {
		res := CheckBytes("r.cfg", []byte(base+" "+tc.line+"\n"), func(string) (string, bool) { return "", false })
		var alerts []string
		for _, d := range res.Diags.List {
			if strings.Contains(d.Text, "parsing [") {
				alerts = append(alerts, d.Text)
			}
		}
		if tc.alert != "" {
			if len(alerts) != 1 || !strings.Contains(alerts[0], tc.alert) {
				t.Errorf("%q: alerts %q, want %q", tc.line, alerts, tc.alert)
			}
			continue
		}
		if len(alerts) != 0 || res.Config == nil {
			t.Errorf("%q: alerts %q", tc.line, alerts)
			continue
		}
		px := res.Config.Proxies[len(res.Config.Proxies)-1]
		if tc.words != nil && (px.RetryOn == nil || strings.Join(px.RetryOn.Words, " ") != strings.Join(tc.words, " ")) {
			t.Errorf("%q: RetryOn %+v", tc.line, px.RetryOn)
		}
		if tc.words == nil && px.RedispatchEvery != tc.every {
			t.Errorf("%q: RedispatchEvery %d, want %d", tc.line, px.RedispatchEvery, tc.every)
		}
	}
}
