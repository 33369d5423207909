package haproxy

import (
	"strings"
	"testing"
)

// The alerts are HAProxy 2.6.12's for the same lines (haproxy -c,
// measured); a line accepted is typed.
func TestParseStick(t *testing.T) {
	cases := []struct{ line, alert string }{
		{"stick foo src", "'stick' expects 'on', 'match', or 'store'."},
		{"stick on", "'stick' expects a fetch method."},
		{"stick on src bogus", "'stick': unknown keyword 'bogus'."},
		{"stick on src if nosuch", "'stick': error detected while parsing sticking condition : no such ACL : 'nosuch'."},
		{"stick on src table nosuch", "Proxy 'be': unable to find stick-table 'nosuch'."},
		{"stick match src table be if { path /x }", ""},
	}
	for _, c := range cases {
		cfg := "defaults\n    mode http\nbackend be\n    stick-table type ip size 1k\n    " + c.line + "\n    server s1 127.0.0.1:9\n"
		res := CheckBytes("c.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
		var alerts []string
		for _, d := range res.Diags.List {
			if d.Severity == Alert {
				alerts = append(alerts, d.Text)
			}
		}
		got := strings.Join(alerts, "\n")
		if c.alert == "" {
			if got != "" {
				t.Errorf("%s: %s", c.line, got)
			} else if len(res.Config.Proxies) == 0 || len(res.Config.Proxies[0].StickRules) != 1 {
				t.Errorf("%s: not typed", c.line)
			} else if r := res.Config.Proxies[0].StickRules[0]; r.Verb != "match" || r.Table != "be" || r.Cond == nil || r.Store() || !r.Match() {
				t.Errorf("%s: typed as %+v", c.line, r)
			}
			continue
		}
		if !strings.Contains(got, c.alert) {
			t.Errorf("%s: alerts %q, want %q", c.line, got, c.alert)
		}
	}
}
