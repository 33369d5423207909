package haproxycfg

import (
	"strings"
	"testing"
)

// maxsslconn with a TLS health check is refused: HAProxy counts a check's
// TLS connection under the limit (and fails the check at it), goha's
// checks are not counted. Without the check, or without the limit, the
// server maps without a notice.
func TestMaxSSLConnRefusedWithTLSCheck(t *testing.T) {
	for _, c := range []struct {
		global, server string
		refused        bool
	}{
		{"maxsslconn 10", "ssl verify none check", true},
		{"maxsslconn 10", "check check-ssl verify none", true},
		{"maxsslconn 10", "ssl verify none", false},
		{"maxsslrate 10", "ssl verify none check", false},
	} {
		p := buildText(t, "global\n    "+c.global+"\ndefaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
			"backend b\n    server s 127.0.0.1:8443 "+c.server+"\n")
		got := strings.Join(notices(p), "\n")
		if refused := strings.Contains(got, "maxsslconn with a TLS health check"); refused != c.refused {
			t.Errorf("%s, server %s: notices %q, want refused %v", c.global, c.server, got, c.refused)
		}
	}
}
