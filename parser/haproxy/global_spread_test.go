package haproxy

import (
	"strings"
	"testing"
	"time"
)

// max-spread-checks: a time in milliseconds by default, HAProxy 2.6's
// messages for the values it refuses (checked against haproxy -c).
func TestGlobalMaxSpreadChecks(t *testing.T) {
	for _, tc := range []struct {
		line  string
		want  time.Duration
		alert string
		warn  string
	}{
		{line: "max-spread-checks 400", want: 400 * time.Millisecond},
		{line: "max-spread-checks 10s", want: 10 * time.Second},
		{line: "max-spread-checks 0"},
		{line: "max-spread-checks 100us"},
		{line: "max-spread-checks 10sec", want: 10 * time.Second, warn: "unexpected character 'e' after the timer value '10sec'"},
		{line: "max-spread-checks", alert: "t.cfg:2]: 'max-spread-checks' expects an integer argument (0..50)."},
		{line: "max-spread-checks 1x", alert: "t.cfg:2]: unsupported character 'x' in 'max-spread-checks' (wants an integer delay)."},
		{line: "max-spread-checks 100000d", alert: "timer overflow in argument <100000d> to <max-spread-checks>, maximum value is 2147483647 ms (~24.8 days)."},
		{line: "max-spread-checks 1 2", alert: "'max-spread-checks' cannot handle unexpected argument '2'."},
	} {
		res := checkString(t, "global\n    "+tc.line+"\nlisten l\n    bind 127.0.0.1:8080\n    mode tcp\n    server s 127.0.0.1:1\n")
		var alerts, warns []string
		for _, d := range res.Diags.List {
			switch d.Severity {
			case Alert:
				alerts = append(alerts, d.Text)
			case Warning:
				warns = append(warns, d.Text)
			}
		}
		if tc.alert != "" {
			if res.Exit != 1 || !strings.Contains(strings.Join(alerts, "\n"), tc.alert) {
				t.Errorf("%q: exit %d, alerts %q, want %q", tc.line, res.Exit, alerts, tc.alert)
			}
			continue
		}
		if res.Exit == 1 || res.Config.Global.MaxSpreadChecks != tc.want {
			t.Errorf("%q: exit %d, %v, want %v (%q)", tc.line, res.Exit, res.Config.Global.MaxSpreadChecks, tc.want, alerts)
		}
		if tc.warn != "" && !strings.Contains(strings.Join(warns, "\n"), tc.warn) {
			t.Errorf("%q: warnings %q, want %q", tc.line, warns, tc.warn)
		}
	}
}
