package haproxy

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseCompression: the alerts are HAProxy 2.6.12's for the same lines
// (haproxy -c); the typed lists are in HAProxy's order (each statement's
// words in front, the proxy's before its defaults'), offload is not
// inherited.
func TestParseCompression(t *testing.T) {
	cases := []struct{ defaults, lines, alert string }{
		{"", "compression algo", "parsing [c.cfg:5] : 'compression' expects <algorithm>."},
		{"", "compression type", "'compression' expects <type>."},
		{"", "compression foo", "'compression' expects 'algo', 'type' or 'offload'"},
		{"", "compression algo gzip br", "'compression' : 'br' is not a supported algorithm."},
		{"", "filter compression\n    filter compression", "'filter' : 'fe: Proxy supports only one compression filter\n'"},
		{"", "compression algo gzip deflate\n    compression algo identity\n    compression type text/ application/json\n    compression offload", ""},
	}
	for _, c := range cases {
		cfg := "defaults\n    mode http\n" + c.defaults + "frontend fe\n    bind 127.0.0.1:80\n    " + c.lines + "\n"
		res := CheckBytes("c.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
		var alerts []string
		for _, d := range res.Diags.List {
			if d.Severity == Alert {
				alerts = append(alerts, d.Text)
			}
		}
		got := strings.Join(alerts, "\n")
		if c.alert != "" {
			if !strings.Contains(got, c.alert) {
				t.Errorf("%q: alerts %q, want %q", c.lines, got, c.alert)
			}
			continue
		}
		if got != "" {
			t.Fatalf("%q: %s", c.lines, got)
		}
		want := &Compression{Pos: Pos{File: "c.cfg", Line: 5}, Algos: []string{"identity", "deflate", "gzip"},
			Types: []string{"application/json", "text/"}, Offload: true}
		if pc := res.Config.Proxies[0].Compression; !reflect.DeepEqual(pc, want) {
			t.Errorf("typed %+v, want %+v", pc, want)
		}
	}
	cfg := "defaults\n    mode http\n    compression algo gzip\n    compression offload\n" +
		"backend be\n    compression algo deflate\n"
	res := CheckBytes("c.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
	if pc := res.Config.Proxies[0].Compression; pc == nil || !reflect.DeepEqual(pc.Algos, []string{"deflate", "gzip"}) || pc.Offload {
		t.Errorf("inherited: %+v", pc)
	}
}
