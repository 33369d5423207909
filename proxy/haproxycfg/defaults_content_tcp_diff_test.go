package haproxycfg

import (
	"fmt"
	"testing"
)

// TestDefaultsContentRulesTCPDifferential: the tcp-request content rules
// of a named defaults section in a tcp-mode frontend starting from it,
// beside HAProxy 2.6. Rules that decide without bytes run first (a src
// reject there refuses everything); a rule of the defaults that waits
// for bytes ends the defaults' part: once they came, HAProxy goes on
// with the frontend's own rules, so the defaults' payload reject and the
// reject after it never run (EVIL passes), while the frontend's own
// payload reject does (GOOD refused). The client sends 100 ms after
// connecting (bytes there at the stream's start would be decided on by
// HAProxy). What the client gets and the log lines are compared.
func TestDefaultsContentRulesTCPDifferential(t *testing.T) {
	t.Parallel()
	server := echoOnceServer(t)
	for _, tc := range []struct {
		name, defaults, own string
		want                map[string]string
	}{
		{"payload wait", `    tcp-request inspect-delay 1s
    tcp-request content reject if { req.payload(0,4) -m str EVIL }
    tcp-request content reject if { src 127.0.0.1 }
`, `    tcp-request content reject if { req.payload(0,4) -m str GOOD }
`, map[string]string{"EVIL": "echo:EVIL then fin", "GOOD": " then fin", "OTHR": "echo:OTHR then fin"}},
		{"no wait", `    tcp-request content reject if { src 127.0.0.1 }
`, `    tcp-request content accept
`, map[string]string{"EVIL": " then fin", "GOOD": " then fin", "OTHR": " then fin"}},
	} {
		cfg := `global
    log LOG local0
defaults d
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 3s
    timeout server 3s
` + tc.defaults + `frontend fe from d
    bind BIND
` + tc.own + `    default_backend be
defaults plain
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
backend be from plain
    server s1 ` + server + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		dropStartLines(haLog, goLog)
		for _, payload := range []string{"EVIL", "GOOD", "OTHR"} {
			var got [2]string
			got[0], got[1] = bothAtOnce(ha, goha, func(addr string) string { return payloadClient(t, addr, payload) })
			t.Logf("%s, %s: %q", tc.name, payload, got[0])
			if got[0] != got[1] || got[0] != tc.want[payload] {
				t.Errorf("%s, %s: the client saw\nhaproxy %q\ngoha    %q\nwant    %q", tc.name, payload, got[0], got[1], tc.want[payload])
			}
			sameLoggedLines(t, fmt.Sprintf("%s, %s", tc.name, payload), haLog, goLog, 0)
		}
	}
}
