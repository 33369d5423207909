package main

import (
	"strings"
	"testing"
)

// TestMetricsAddressFlag: --metrics-address takes ADDR:PORT (also as a
// separate argument or an unambiguous prefix), is off by default, is
// refused without a port, and --help documents it.
func TestMetricsAddressFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		err  string
	}{
		{nil, "", ""},
		{[]string{"--metrics-address=127.0.0.1:9650"}, "127.0.0.1:9650", ""},
		{[]string{"--metrics-address", "[::1]:9650"}, "[::1]:9650", ""},
		{[]string{"--metrics=:9650"}, ":9650", ""},
		{[]string{"--metrics-address=127.0.0.1"}, "", "option '--metrics-address' wants ADDR:PORT: address 127.0.0.1: missing port in address"},
		{[]string{"--metrics-address"}, "", "option '--metrics-address' requires an argument"},
	} {
		o, err := parseArgs(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || o.metricsAddr != tc.want || len(o.ignored) != 0 {
			t.Errorf("%q: %v %+v, want metricsAddr %q", tc.args, err, o, tc.want)
		}
	}
	_, stderr, code := runBinary(t, ".", "--help")
	if code != 0 || !strings.Contains(stderr, "      --metrics-address ARG        goha: serve Prometheus metrics at http://ARG/metrics, ARG being ADDR:PORT") {
		t.Errorf("--help rc %d:\n%s", code, stderr)
	}
	_, stderr, code = runBinary(t, ".", "-n", "--metrics-address=nope")
	if code != 1 || !strings.Contains(stderr, "gokeepalived: option '--metrics-address' wants ADDR:PORT") {
		t.Errorf("bad address: rc %d %q", code, stderr)
	}
}
