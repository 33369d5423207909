package runtimeapi

import (
	"fmt"
	"strings"
	"testing"
)

// parseNewServer's answers; the HAProxy ones were read from HAProxy
// 2.6.12's socket.
func TestParseNewServer(t *testing.T) {
	for _, tc := range []struct{ args, want, msg string }{
		{"", "", "'server' expects <name> and <addr>[:<port>] as arguments.\n"},
		{"10.0.0.1:80", "10.0.0.1:80 w1", ""},
		{"[::1]:80 weight 7 backup", "[::1]:80 w7 backup", ""},
		{"::1:80", "[::1]:80 w1", ""},
		{":8080", "0.0.0.0:8080 w1", ""},
		{"10.0.0.1:80 weight", "10.0.0.1:80 w0", ""}, // atoi of nothing
		{"10.0.0.1:80 weight 300", "", "weight of server s is not within 0 and 256 (300)..\n"},
		{"10.0.0.1:80 maxconn 5 maxqueue 2", "10.0.0.1:80 w1 mc5 mq2", ""},
		{"10.0.0.1:abc", "", "invalid character 'a' in port number 'abc' in '10.0.0.1:abc'\n\n"},
		{"10.0.0.1:99999", "", "invalid port '99999'\n"},
		{"10.0.0.1:80 cookie c", "", "'cookie' option is not accepted for dynamic server\n"},
		{"10.0.0.1:80 agent-check", "", "server s does not have agent port. Agent check has been disabled.\n"},
		{"10.0.0.1:80 agent-check agent-port", "", "'agent-port' expects a port number as argument..\n"},
		{"10.0.0.1:80 agent-check port 81 agent-inter 2s", "10.0.0.1:80 w1 agent{ 81 2s }", ""},
		{"10.0.0.1:80 agent-check agent-port 82 port 81 agent-addr 10.0.0.3", "10.0.0.1:80 w1 agent{10.0.0.3 82 0s }", ""},
		{"10.0.0.1:80 agent-check agent-port 82 agent-inter 1x", "", "unexpected character 'x' in 'agent-inter' argument of server s..\n"},
		{"10.0.0.1:80 track s2", "", "'track' is not supported by goha"},
		{"10.0.0.1:80 check", "10.0.0.1:80 w1 check{0s 0s 0s 0 0  0}", ""},
		{"10.0.0.1:80 check inter 2s rise 3 fall 4 port 81 addr 10.0.0.2", "10.0.0.1:80 w1 check{2s 0s 0s 3 4 10.0.0.2 81}", ""},
		{"10.0.0.1:80 inter 2s", "10.0.0.1:80 w1", ""}, // no `check`: no check
		{"10.0.0.1:80 check inter 1x", "", "unexpected character 'x' in 'agent-inter' argument of server s..\n"},
		{"10.0.0.1:80 check rise 0", "", "'rise' has to be > 0..\n"},
		{"10.0.0.1:+80", "", "port maps are not supported by goha"},
		{"10.0.0.1", "", "a dynamic server needs a port in goha"},
		{"localhost:80", "", "a dynamic server needs an IP address in goha"},
	} {
		ns, msg := parseNewServer("s", strings.Fields(tc.args))
		got := ""
		if msg == "" {
			got = ns.Addr.String() + " w" + itoa(ns.Weight)
			if ns.MaxConn != 0 {
				got += " mc" + itoa(ns.MaxConn)
			}
			if ns.MaxQueue != 0 {
				got += " mq" + itoa(ns.MaxQueue)
			}
			if ns.Backup {
				got += " backup"
			}
			if c := ns.Check; c != nil {
				got += fmt.Sprintf(" check%v", *c)
			}
			if a := ns.Agent; a != nil {
				got += fmt.Sprintf(" agent%v", *a)
			}
		}
		if got != tc.want || !strings.HasPrefix(msg, tc.msg) || (tc.msg == "") != (msg == "") {
			t.Errorf("%q: %q %q, want %q %q", tc.args, got, msg, tc.want, tc.msg)
		}
	}
}
