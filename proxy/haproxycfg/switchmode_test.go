package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy"
)

// TestUpgradedFrontendVerdicts: which tcp frontends run as HTTP ones,
// which are upgraded per connection, and the forms refused (one notice naming the line) rather than served
// otherwise than HAProxy would.
func TestUpgradedFrontendVerdicts(t *testing.T) {
	const tail = `backend bh
    mode http
    server s 127.0.0.1:1
backend bt
    mode tcp
    server s 127.0.0.1:1
`
	for _, c := range []struct {
		name, fe string
		http     bool   // the frontend runs in HTTP mode
		refused  string // a notice holding this, "" for none
	}{
		{"implicit", "default_backend bh", true, ""},
		{"tcp", "default_backend bt", false, ""},
		{"explicit", "tcp-request content switch-mode http\n    default_backend bh", true, ""},
		{"explicit h1", "tcp-request content switch-mode http proto h1\n    default_backend bh", true, ""},
		{"explicit h2", "tcp-request content switch-mode http proto h2\n    default_backend bh", true, ""},
		{"mixed", "use_backend bt if { src 10.0.0.1 }\n    default_backend bh", false, ""},
		{"mixed path", "use_backend bt if { path /x }\n    default_backend bh", false, "use_backend condition reading path"},
		{"mixed payload", "tcp-request inspect-delay 1s\n    use_backend bt if { req.len gt 3 }\n    default_backend bh", false, "use_backend condition reading req.len"},
		{"to tcp", "tcp-request content switch-mode http\n    default_backend bt", false, ""},
		{"conditional", "tcp-request content switch-mode http if { src 127.0.0.1 }\n    default_backend bh", false, ""},
		{"conditional h1", "tcp-request content switch-mode http proto h1 if { src 127.0.0.1 }\n    default_backend bh", false, "proto h1 in a tcp frontend upgraded to HTTP per connection"},
		{"rule before", "tcp-request content accept if { src 127.0.0.2 }\n    tcp-request content switch-mode http\n    default_backend bh", true, ""},
		{"rule before h2", "tcp-request content accept if { src 127.0.0.2 }\n    tcp-request content switch-mode http proto h2\n    default_backend bh", true, "before switch-mode http proto h2"},
		{"implicit content", "tcp-request content accept if { src 127.0.0.2 }\n    default_backend bh", true, ""},
		{"implicit payload", "tcp-request inspect-delay 1s\n    tcp-request content accept if { req.len gt 0 }\n    default_backend bh", true, "req.len outside tcp-mode content inspection"},
		{"implicit use_backend", "use_backend bh if { src 127.0.0.2 }\n    default_backend bh", false, ""},
		{"dynamic", "use_backend b%[src]\n    default_backend bh", false, ""},
		{"dynamic payload", "use_backend b%[req.payload(0,1)]\n    default_backend bh", false, "dynamic name reading req.payload(0,1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := buildText(t, "global\n    log 127.0.0.1:514 local0\ndefaults\n    log global\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend fe\n    mode tcp\n    bind 127.0.0.1:19999\n    option tcplog\n    "+c.fe+"\n"+tail)
			got := strings.Join(notices(p), "\n")
			if c.refused == "" && got != "" || c.refused != "" && !strings.Contains(got, c.refused) {
				t.Errorf("notices %q, want %q", got, c.refused)
			}
			fe := p.Proxy.Frontends[0]
			if (fe.Mode == proxy.ModeHTTP) != c.http || fe.UpgradedFromTCP != (c.http && !strings.HasSuffix(c.name, "h2")) {
				t.Errorf("mode %v upgraded %v, want http %v", fe.Mode, fe.UpgradedFromTCP, c.http)
			}
			// a tcp frontend reaching http backends, served: upgraded per
			// connection (switch_conn.go)
			if perConn := !c.http && c.refused == "" && c.name != "tcp"; fe.UpgradesPerConn != perConn {
				t.Errorf("upgraded per connection %v, want %v", fe.UpgradesPerConn, perConn)
			}
			if c.http && p.Logs["fe"].Format != "tcplog" {
				t.Errorf("log format %q", p.Logs["fe"].Format)
			}
			for _, s := range p.Sections {
				if s.Name == "fe" && s.HTTP {
					t.Errorf("show stat would print fe in mode http")
				}
			}
		})
	}
}
