package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestDefaultOptionCheckMatchesHAProxy: HAProxy 2.6.12 refuses `default
// option X` for its flag options ("'option X' cannot handle unexpected
// argument 'X'."), accepts it for redispatch, and says "negation/default
// is not supported" for the options that cannot be negated; in a listen
// and in a defaults section. goha's -c prints the same lines and exit.
func TestDefaultOptionCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	cfg := filepath.Join(t.TempDir(), "d.cfg")
	for _, o := range []string{"dontlognull", "http-keep-alive", "httpclose", "socket-stats", "nolinger", "persist",
		"abortonclose", "redispatch", "httplog", "forwardfor"} {
		for _, where := range []string{"listen", "defaults"} {
			body := "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"
			if where == "defaults" {
				body += "    default option " + o + "\nlisten l\n    bind 127.0.0.1:1\n    server s 127.0.0.1:2\n"
			} else {
				body += "listen l\n    bind 127.0.0.1:1\n    default option " + o + "\n    server s 127.0.0.1:2\n"
			}
			if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			hcode, want, code, got := checkBoth(t, hp, cfg)
			if want != got || code != hcode {
				t.Errorf("%s in %s: haproxy exit %d:\n%s\ngoha exit %d:\n%s", o, where, hcode, want, code, got)
			}
			if o == "dontlognull" && !strings.Contains(want, "'option dontlognull' cannot handle unexpected argument 'dontlognull'.") {
				t.Errorf("%s in %s: haproxy accepted it:\n%s", o, where, want)
			}
		}
	}
}
