package haproxy

import "testing"

// TestTypedTCPKeepAlive: the sides `option tcpka` sets by section, the
// tuning in seconds (a bare number is seconds, other units round up), and
// what a frontend and a backend inherit from defaults (each its side).
func TestTypedTCPKeepAlive(t *testing.T) {
	res := checkString(t, `defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    option tcpka
    clitcpka-idle 2m
    srvtcpka-intvl 1500ms
frontend f
    bind 127.0.0.1:8080
    no option clitcpka
    clitcpka-cnt 0x10
    default_backend b
backend b
    srvtcpka-cnt 5
    srvtcpka-idle 30
    server s1 127.0.0.1:80
listen l
    bind 127.0.0.1:8081
    server s1 127.0.0.1:80
`)
	if res.Exit != 0 {
		t.Fatalf("exit %d: %+v", res.Exit, res.Diags.List)
	}
	f, l, b := res.Config.Frontends[0], res.Config.Frontends[1], res.Config.Backends[0]
	for _, tc := range []struct {
		name     string
		px       *Proxy
		cli, srv bool
		cka, ska TCPKeepAlive
	}{
		{"frontend", f, false, true, TCPKeepAlive{Idle: 120, Count: 16}, TCPKeepAlive{}},
		{"backend", b, true, true, TCPKeepAlive{}, TCPKeepAlive{Interval: 2, Count: 5, Idle: 30}},
		{"listen", l, true, true, TCPKeepAlive{Idle: 120}, TCPKeepAlive{Interval: 2}},
	} {
		if tc.px.Options["clitcpka"] != tc.cli || tc.px.Options["srvtcpka"] != tc.srv {
			t.Errorf("%s: clitcpka %v srvtcpka %v, want %v %v", tc.name, tc.px.Options["clitcpka"], tc.px.Options["srvtcpka"], tc.cli, tc.srv)
		}
		if tc.px.CliTCPKA != tc.cka || tc.px.SrvTCPKA != tc.ska {
			t.Errorf("%s: cli %+v srv %+v, want %+v %+v", tc.name, tc.px.CliTCPKA, tc.px.SrvTCPKA, tc.cka, tc.ska)
		}
	}
}
