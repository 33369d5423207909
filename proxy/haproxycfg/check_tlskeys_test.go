package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// TestCheckTLSKeysRefused: a check rule reading ssl_bc_npn is refused at
// a server line with npn (HAProxy's checks offer it by NPN); without
// npn, or in clear, it runs, and ssl_bc_session_key runs over every
// version (TestCheckTLSKeysMatchHAProxy in internal/haproxycmd compares
// them).
func TestCheckTLSKeysRefused(t *testing.T) {
	for _, c := range []struct{ rule, opts, want string }{
		{"tcp-check send-lf %[ssl_bc_session_key,hex]", "check check-ssl verify none ssl-max-ver TLSv1.2", ""},
		{"tcp-check send-lf %[ssl_bc_session_key,hex]", "check", ""},
		{"tcp-check send-lf %[ssl_bc_session_key,hex]", "check check-ssl verify none", ""},
		{"tcp-check send-lf %[ssl_bc_session_key,hex]", "check ssl verify none ssl-min-ver TLSv1.3", "fetch ssl_bc_session_key with a server allowing TLS 1.3"},
		{"tcp-check send-lf %[ssl_bc_session_id,hex]%[ssl_bc_unique_id,hex]%[ssl_bc_err]%[ssl_bc_err_str]", "check check-ssl verify none", ""},
		{"tcp-check send-lf %[ssl_bc_npn]", "check check-ssl verify none", ""},
		{"tcp-check send-lf %[ssl_bc_npn]", "check ssl verify none npn http/1.1", "[test.cfg:LINE] : 'fetch ssl_bc_npn in a health check of a server with npn"},
	} {
		cfg := `defaults
    mode tcp
    timeout connect 2s
    timeout client 2s
    timeout server 2s
backend be
    option tcp-check
    ` + c.rule + `
    server s 127.0.0.1:8443 ` + c.opts + "\n"
		line := strings.Count(cfg, "\n")
		got := strings.Join(notices(buildText(t, cfg)), "\n")
		want := strings.ReplaceAll(c.want, "LINE", fmt.Sprint(line))
		if (want == "") != !strings.Contains(got, "'fetch ssl_bc") || want != "" && !strings.Contains(got, want) {
			t.Errorf("%q %q: notices %q, want %q", c.rule, c.opts, got, want)
		}
	}
}
