package haproxycfg

import "testing"

// strict-limits is on by default; the last statement wins.
func TestStrictLimits(t *testing.T) {
	for _, tc := range []struct {
		global string
		want   bool
	}{
		{"", true},
		{"    no strict-limits\n", false},
		{"    no strict-limits\n    strict-limits\n", true},
		{"    strict-limits\n    no strict-limits\n", false},
	} {
		p := buildText(t, "global\n"+tc.global+"listen l\n    bind 127.0.0.1:8080\n    mode tcp\n    server s 127.0.0.1:1\n")
		if p.Process.StrictLimits != tc.want {
			t.Errorf("%q: StrictLimits %v, want %v", tc.global, p.Process.StrictLimits, tc.want)
		}
	}
}
