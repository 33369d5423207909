package haproxycfg

import (
	"strings"
	"testing"
)

// TestTCPCheckMapping: the check option a proxy ends with decides its
// probe (the last of httpchk/tcp-check/protocol checks wins, defaults
// included), a section's tcp-check lines replace the inherited ones, and
// rule forms proxy/check cannot run are reported.
func TestTCPCheckMapping(t *testing.T) {
	p := buildText(t, `defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    option tcp-check
    tcp-check send "PING\r\n"
    tcp-check expect string +PONG
backend inherit
    server s1 127.0.0.1:5000 check
backend own
    tcp-check connect port 6000
    server s1 127.0.0.1:5000 check
backend redis
    option redis-check
    server s1 127.0.0.1:5000 check
backend http
    option tcp-check
    option httpchk
    server s1 127.0.0.1:5000 check
backend back
    option httpchk
    option mysql-check user u
    server s1 127.0.0.1:5000 check
backend bad
    tcp-check send-lf "%[src]"
    tcp-check expect rstring (?=x)
    server s1 127.0.0.1:5000 check
`)
	byName := map[string]int{}
	for i, c := range p.Checks {
		byName[c.Target.Backend] = i
	}
	rules := func(name string) int {
		c := p.Checks[byName[name]]
		if c.TCP == nil {
			t.Fatalf("%s: no tcp-check probe (HTTP %v)", name, c.HTTP != nil)
		}
		return len(c.TCP.Rules)
	}
	// implicit connect + send + expect
	if n := rules("inherit"); n != 3 || !p.Checks[byName["inherit"]].TCP.Generic {
		t.Errorf("inherit: %d rules", n)
	}
	if n := rules("own"); n != 1 {
		t.Errorf("own: %d rules, want the section's connect only", n)
	}
	if n := rules("redis"); n != 3 || p.Checks[byName["redis"]].TCP.Generic {
		t.Errorf("redis: %d rules", n)
	}
	if c := p.Checks[byName["http"]]; c.HTTP == nil || c.TCP != nil {
		t.Errorf("http: httpchk last must win")
	}
	if n := rules("back"); n != 4 {
		t.Errorf("mysql-check user: %d rules, want connect, send, two expects", n)
	}
	got := strings.Join(notices(p), "\n")
	for _, want := range []string{"tcp-check send-lf %[src]", "tcp-check expect rstring (?=x)"} {
		if !strings.Contains(got, want) {
			t.Errorf("no notice for %q in:\n%s", want, got)
		}
	}
}
