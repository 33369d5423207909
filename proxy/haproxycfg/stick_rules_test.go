package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/stick"
)

// TestStickRulesMapping: stick on/match/store-request/store-response of an
// http backend run, with server_id added to the table they name; a
// store-response key reading the request's headers and tcp mode are
// reported.
func TestStickRulesMapping(t *testing.T) {
	p := buildText(t, `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:8080
    default_backend be
backend be
    stick-table type ip size 1k expire 30s
    stick on src
    stick match src table other
    stick store-request src table other if { path /x }
    stick store-response src
    stick store-response req.hdr(host)
    server s1 127.0.0.1:9
backend other
    stick-table type ip size 10
backend tcpbe
    mode tcp
    stick-table type ip size 10
    stick on src
    server s1 127.0.0.1:9
`)
	var rules int
	for _, be := range p.Proxy.Backends {
		if be.Name == "be" {
			rules = len(be.StickRules)
		}
	}
	if rules != 4 {
		t.Errorf("backend be runs %d stick rules, want 4", rules)
	}
	for _, tb := range p.Proxy.Tables {
		if _, ok := tb.Stores(stick.ServerID); !ok {
			t.Errorf("table %s does not store server_id", tb.Name())
		}
	}
	got := strings.Join(notices(p), "\n")
	for _, want := range []string{"[test.cfg:15] : 'stick store-response req.hdr(host): sample fetch <req.hdr(host)]>", "[test.cfg:22] : 'stick on in a tcp proxy'"} {
		if !strings.Contains(got, want) {
			t.Errorf("no notice at %s in:\n%s", want, got)
		}
	}
	if n := len(notices(p)); n != 2 {
		t.Errorf("%d notices, want 2:\n%s", n, got)
	}
}
