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
		conn     bool   // it is upgraded per connection (switch_conn.go)
		refused  string // a notice holding this, "" for none
	}{
		{"implicit", "default_backend bh", true, false, ""},
		{"tcp", "default_backend bt", false, false, ""},
		{"explicit", "tcp-request content switch-mode http\n    default_backend bh", true, false, ""},
		{"explicit h1", "tcp-request content switch-mode http proto h1\n    default_backend bh", true, false, ""},
		{"explicit h2", "tcp-request content switch-mode http proto h2\n    default_backend bh", true, false, ""},
		{"mixed", "use_backend bt if { src 10.0.0.1 }\n    default_backend bh", false, true, ""},
		{"mixed path", "use_backend bt if { path /x }\n    default_backend bh", false, false, "use_backend condition reading path"},
		{"mixed payload", "tcp-request inspect-delay 1s\n    use_backend bt if { req.len gt 3 }\n    default_backend bh", false, false, "use_backend condition reading req.len"},
		{"to tcp", "tcp-request content switch-mode http\n    default_backend bt", false, true, ""},
		{"conditional", "tcp-request content switch-mode http if { src 127.0.0.1 }\n    default_backend bh", false, true, ""},
		{"conditional h1", "tcp-request content switch-mode http proto h1 if { src 127.0.0.1 }\n    default_backend bh", false, true, ""},
		{"conditional h2", "tcp-request content switch-mode http proto h2 if { src 127.0.0.1 }\n    default_backend bh", false, false, "proto h2 in a tcp frontend upgraded to HTTP per connection"},
		{"rule before", "tcp-request content accept if { src 127.0.0.2 }\n    tcp-request content switch-mode http\n    default_backend bh", false, true, ""},
		{"rule before h1", "tcp-request inspect-delay 1s\n    tcp-request content set-var(txn.h) str(y) if HTTP\n    tcp-request content switch-mode http proto h1\n    default_backend bh", false, true, ""},
		{"rule before h2", "tcp-request content accept if { src 127.0.0.2 }\n    tcp-request content switch-mode http proto h2\n    default_backend bh", true, false, "before switch-mode http proto h2"},
		{"implicit content", "tcp-request content accept if { src 127.0.0.2 }\n    default_backend bh", false, true, ""},
		{"implicit payload", "tcp-request inspect-delay 1s\n    tcp-request content accept if { req.len gt 0 }\n    default_backend bh", false, true, "req.len outside tcp-mode content inspection"},
		{"implicit use_backend", "use_backend bh if { src 127.0.0.2 }\n    default_backend bh", false, true, ""},
		{"dynamic", "use_backend b%[src]\n    default_backend bh", false, true, ""},
		{"dynamic payload", "use_backend b%[req.payload(0,1)]\n    default_backend bh", false, false, "dynamic name reading req.payload(0,1)"},
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
			if fe.UpgradesPerConn != c.conn {
				t.Errorf("upgraded per connection %v, want %v", fe.UpgradesPerConn, c.conn)
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
