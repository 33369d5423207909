package haproxy

import (
	"strings"
	"testing"
)

// TestTuneH2: the tune.h2.* values HAProxy 2.6.12 refuses, with its
// words (measured with haproxy -c), and the ones it takes (atoi: "x" is 0).
func TestTuneH2(t *testing.T) {
	cases := []struct{ line, alert string }{
		{"tune.h2.header-table-size 1", "'tune.h2.header-table-size' expects a numeric value between 4096 and 65536."},
		{"tune.h2.header-table-size 70000", "'tune.h2.header-table-size' expects a numeric value between 4096 and 65536."},
		{"tune.h2.header-table-size 65536", ""},
		{"tune.h2.initial-window-size -1", "'tune.h2.initial-window-size' expects a positive numeric value."},
		{"tune.h2.initial-window-size x", ""},
		{"tune.h2.max-concurrent-streams 0", ""},
		{"tune.h2.max-frame-size 1", "'tune.h2.max-frame-size' expects a numeric value between 16384 and 16777215."},
		{"tune.h2.max-frame-size", "'tune.h2.max-frame-size' expects a numeric value between 16384 and 16777215."},
		{"tune.h2.max-frame-size 16777215", ""},
	}
	for _, c := range cases {
		cfg := "global\n  " + c.line + "\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n"
		res := CheckBytes("t.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
		var got []string
		for _, d := range res.Diags.List {
			if d.Severity == Alert || d.Goha {
				got = append(got, d.Text)
			}
		}
		all := strings.Join(got, "\n")
		switch {
		case c.alert == "" && (res.Exit != 0 || all != ""):
			t.Errorf("%s: exit %d, %q", c.line, res.Exit, all)
		case c.alert != "" && (res.Exit != 1 || !strings.Contains(all, "parsing [t.cfg:2] : "+c.alert)):
			t.Errorf("%s: exit %d, %q, want %q", c.line, res.Exit, all, c.alert)
		}
	}
}
