package haproxycfg

import (
	"net"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestTCPSockoptRulesDifferential: set-mark and set-tos in tcp-request
// connection, session and content rules and in tcp-response content
// rules set SO_MARK and IP_TOS on the client's socket, as ss(8) reads
// them on the proxy's side, the same values as HAProxy 2.6 sets, in tcp
// and http mode, later rules overriding earlier ones.
func TestTCPSockoptRulesDifferential(t *testing.T) {
	testenv.LookPath(t, "ss")
	web := webs3(t)[0]
	const head = `defaults
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`
	for _, tc := range []struct{ name, mode, rules, want string }{
		{"connection-session", "tcp", "tcp-request connection set-mark 0x2a\n    tcp-request session set-tos 0x10", "fwmark:0x2a tos:0x10"},
		{"content", "tcp", "tcp-request inspect-delay 1s\n    tcp-request content set-mark 7 if { req.len gt 0 }\n    tcp-request content set-tos 0x20 if { req.payload(0,3) -m str PUT }", "fwmark:0x7"},
		{"order", "tcp", "tcp-request connection set-mark 1\n    tcp-request session set-mark 2 if { src 127.0.0.2 }\n    tcp-request content set-mark 010\n    tcp-request connection set-tos 4", "fwmark:0x8 tos:0x4"},
		{"response", "tcp", "tcp-response content set-tos 0x08\n    tcp-response content set-mark 9 if { src 127.0.0.2 }", "tos:0x8"},
		{"http", "http", "tcp-request content set-mark 3 if { src 127.0.0.1 }\n    tcp-request connection set-tos 0x04\n    tcp-response content set-tos 0x28", "fwmark:0x3 tos:0x28"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := head + "listen fe\n    mode " + tc.mode + "\n    bind BIND\n    " + tc.rules + "\n    server s1 " + web + "\n"
			ha, goha := startBoth(t, cfg)
			var seen [2]string
			for i, addr := range []string{ha, goha} {
				seen[i] = sockoptsAfterRequest(t, addr)
			}
			if seen[0] != seen[1] {
				t.Errorf("haproxy socket %q, goha %q", seen[0], seen[1])
			}
			for _, w := range strings.Fields(tc.want) {
				if !strings.Contains(seen[0], w) {
					t.Errorf("haproxy socket %q, want %s", seen[0], tc.want)
				}
			}
		})
	}
}

// sockoptsAfterRequest sends one HTTP request to addr, reads the answer
// and returns the socket options ss(8) shows on the proxy's side of the
// still open connection.
func sockoptsAfterRequest(t *testing.T, addr string) string {
	t.Helper()
	c := exchangeKept(t, addr)
	defer c.Close()
	return clientSockopts(t, addr, c.LocalAddr().(*net.TCPAddr).Port)
}

// TestTCPSetMarkTOSRefused: a set-mark or set-tos value goha does not
// read (a word, more than one, a sign) is reported, never dropped; an
// HTTP/2 stream's sets its connection's socket (TestSetMarkTOSH2Differential).
func TestTCPSetMarkTOSRefused(t *testing.T) {
	for _, tc := range []struct{ rule, want, mode string }{
		{"tcp-request connection set-mark 0x10", "", "tcp"},
		{"tcp-request session set-tos 16", "", "tcp"},
		{"tcp-request content set-mark 020", "", "http"},
		{"tcp-response content set-tos 0x08", "", "http"},
		{"tcp-request connection set-mark", "tcp-request connection set-mark", "tcp"},
		{"tcp-request session set-mark abc", "tcp-request session set-mark abc", "tcp"},
		{"tcp-request content set-tos 1 2", "tcp-request content set-tos 1 2", "tcp"},
		{"tcp-response content set-mark -1", "tcp-response content set-mark -1", "tcp"},
		{"tcp-request content set-mark 1", "", "http h2"}, // on the connection's socket
	} {
		mode, h2, _ := strings.Cut(tc.mode, " ")
		bind := "bind 127.0.0.1:8080"
		if h2 != "" {
			bind += " proto h2"
		}
		cfg := quickDefaults(mode) +
			"listen fe\n    " + bind + "\n    " + tc.rule + "\n    server s 127.0.0.1:9\n"
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) {
			t.Errorf("%s: notices %q, want %q", tc.rule, got, tc.want)
		}
	}
}
