package haproxy

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  int // index of the offending byte, -1 when valid
	}{
		{"10", 10 * time.Millisecond, -1},
		{"10ms", 10 * time.Millisecond, -1},
		{"5us", 5 * time.Microsecond, -1},
		{"30s", 30 * time.Second, -1},
		{"1m", time.Minute, -1},
		{"2h", 2 * time.Hour, -1},
		{"1d", 24 * time.Hour, -1},
		{"10x", 0, 2},
		{"1.5s", 0, 1},
		{"-1", 0, 0},
		{"2y", 0, 1},
		{"10u", 0, 2},
		// HAProxy 2.6 keeps the value before trailing text (and warns).
		{"15min", 15 * time.Minute, -1},
		{"10sec", 10 * time.Second, -1},
		{"500msec", 500 * time.Millisecond, -1},
		{"5usx", 5 * time.Microsecond, -1},
		{"2days", 48 * time.Hour, -1},
	}
	for _, tc := range tests {
		got, bad, err := ParseTime(tc.in)
		if tc.bad < 0 {
			if err != nil || got != tc.want {
				t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || bad != tc.bad {
			t.Errorf("ParseTime(%q) bad=%d err=%v; want bad byte %d", tc.in, bad, err, tc.bad)
		}
	}
	for in, want := range map[string]int{"15min": 3, "10sec": 3, "3ss": 2, "10ms": -1, "10": -1, "10x": -1, "1m": -1} {
		if got := TimerTrailing(in); got != want {
			t.Errorf("TimerTrailing(%q) = %d, want %d", in, got, want)
		}
	}
	res := CheckBytes("t.cfg", []byte("defaults\n    timeout client 15min\n"), nil)
	if d := res.Config.Defaults[0].Timeouts.Client; d != 15*time.Minute {
		t.Errorf("timeout client 15min = %v, want 15m", d)
	}
	if _, _, err := ParseTime("99999999999"); err != errTimeOverflow {
		t.Errorf("overflow not detected: %v", err)
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in             string
		family, host   string
		lo, hi         int
		path           string
		fd             int
		wantBindErrMsg string
	}{
		{in: "*:80", host: "", lo: 80, hi: 80},
		{in: ":80", host: "", lo: 80, hi: 80},
		{in: "1.2.3.4:80", family: "ipv4", host: "1.2.3.4", lo: 80, hi: 80},
		{in: "[::]:443", family: "ipv6", host: "::", lo: 443, hi: 443},
		{in: "ipv4@0.0.0.0:8080", family: "ipv4", host: "0.0.0.0", lo: 8080, hi: 8080},
		{in: "ipv6@:::8080", family: "ipv6", host: "::", lo: 8080, hi: 8080},
		{in: "unix@/run/x.sock", family: "unix", path: "/run/x.sock"},
		{in: "/var/lib/haproxy/stats", family: "unix", path: "/var/lib/haproxy/stats"},
		{in: "fd@3", family: "fd", fd: 3},
		{in: "sockpair@4", family: "sockpair", fd: 4},
		{in: ":8000-8010", lo: 8000, hi: 8010},
		{in: ":99999", wantBindErrMsg: "invalid port '99999'"},
		{in: ":0", wantBindErrMsg: "invalid port '0'"},
		{in: ":8090-8080", wantBindErrMsg: "invalid port range '8090-8080'"},
		{in: "*:80x", lo: 80, hi: 80},
		{in: "*:", wantBindErrMsg: "missing port specification in '*:'"},
		{in: "127.0.0.1", wantBindErrMsg: "missing port specification in '127.0.0.1'"},
		{in: "[::1]", wantBindErrMsg: "missing port specification in '[::1]'"},
		{in: "ipv4@:", wantBindErrMsg: "missing port specification in 'ipv4@:'"},
		{in: "*:abc", wantBindErrMsg: "invalid character 'a' in port number 'abc' in '*:abc'\n"},
		{in: "*:80-", wantBindErrMsg: "invalid port ''"},
		{in: "*:-80", wantBindErrMsg: "port offset not permitted here in '*:-80'"},
		{in: "*:+80", wantBindErrMsg: "port offset not permitted here in '*:+80'"},
		// Environment variables, expanded by the address parser itself.
		{in: "*:$PORT", lo: 8080, hi: 8080},
		{in: "*:${PORT}", lo: 8080, hi: 8080},
		{in: "${ADDR}:81", family: "ipv4", host: "127.0.0.1", lo: 81, hi: 81},
		{in: "*:$UNSET", wantBindErrMsg: "missing port specification in '*:$UNSET'"},
		{in: "$UNSET", wantBindErrMsg: "'$UNSET' resolves to an empty address (environment variable missing?)\n"},
		{in: "127.0.0.1:$PORT-$UNSET", wantBindErrMsg: "invalid port ''"},
	}
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"PORT": "8080", "ADDR": "127.0.0.1"}[k]
		return v, ok
	}
	for _, tc := range tests {
		a, err := listenAddress(tc.in, env)
		if tc.wantBindErrMsg != "" {
			if err == nil || err.Error() != tc.wantBindErrMsg {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantBindErrMsg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if a.Family != tc.family || a.Host != tc.host || a.PortLow != tc.lo || a.PortHigh != tc.hi || a.Path != tc.path || a.FD != tc.fd {
			t.Errorf("%q = %+v", tc.in, a)
		}
	}
}

func TestServerPortAndResolve(t *testing.T) {
	a, _ := ParseAddress("127.0.0.1:http")
	if err := serverPort(&a); err == nil || err.Error() != "invalid character 'h' in port number 'http' in '127.0.0.1:http'\n" {
		t.Errorf("server port http: %v", err)
	}
	a, _ = ParseAddress("127.0.0.1:-1")
	if err := serverPort(&a); err != nil || a.PortLow != -1 {
		t.Errorf("offset port: %v %+v", err, a)
	}
	for in, want := range map[string]bool{"1.2.3:80": true, "192.168.110.300:80": false, "[::1:80": false,
		"ipv4@::1:80": false, "web1:80": true, "[::1]:80": true, "unix@": true} {
		a, err := ParseAddress(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := resolvable(a); got != want {
			t.Errorf("resolvable(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCheckLogFormat(t *testing.T) {
	ok := []string{"%ci:%cp [%tr] %ft %b/%s %ST %B", "%{+Q}o %{-Q}r", "%[src] %%literal", "%{abc", "%", "%[", "%[src", "abc%", "%{+Q}"}
	for _, s := range ok {
		if msg := checkLogFormat(s); msg != "" {
			t.Errorf("checkLogFormat(%q) = %q", s, msg)
		}
	}
	if msg := checkLogFormat("%ci %zz"); msg != "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'." {
		t.Errorf("unknown variable: %q", msg)
	}
}
