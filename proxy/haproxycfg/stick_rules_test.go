package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/stick"
)

// TestStickRulesMapping: stick on/match/store-request/store-response of an
// http or tcp backend run, with server_id added to the table they name; a
// store-response key reading the request's headers, and a condition
// reading a response fetch in tcp mode, are reported; a key reading the
// request's headers in tcp mode reads the head parsed from the stream's
// bytes (TestTCPHTTPFetchDifferential).
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
    stick on req.hdr(host)
    stick match src if { shdr(x) y }
    server s1 127.0.0.1:9
`)
	rules := map[string]int{}
	for _, be := range p.Proxy.Backends {
		rules[be.Name] = len(be.StickRules)
	}
	if rules["be"] != 4 || rules["tcpbe"] != 2 {
		t.Errorf("backends be and tcpbe run %d and %d stick rules, want 4 and 2", rules["be"], rules["tcpbe"])
	}
	for _, tb := range p.Proxy.Tables {
		if _, ok := tb.Stores(stick.ServerID); !ok {
			t.Errorf("table %s does not store server_id", tb.Name())
		}
	}
	got := strings.Join(notices(p), "\n")
	for _, want := range []string{"[test.cfg:15] : 'stick store-response req.hdr(host): sample fetch <req.hdr(host)]>", "[test.cfg:24] : 'stick match condition: sample fetch shdr(x) on a tcp stream"} {
		if !strings.Contains(got, want) {
			t.Errorf("no notice at %s in:\n%s", want, got)
		}
	}
	if n := len(notices(p)); n != 2 {
		t.Errorf("%d notices, want 2:\n%s", n, got)
	}
}

// TestStickServerKeyTables: a table stick rules use stores server_id and
// server_key, as HAProxy 2.6 adds both; `srvkey addr` (server_key holding
// the server's address) is reported.
func TestStickServerKeyTables(t *testing.T) {
	p := buildText(t, `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend be
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 127.0.0.1:9
backend addr
    stick-table type ip size 1k srvkey addr
    stick on src
    server s1 127.0.0.1:9
`)
	for _, tb := range p.Proxy.Tables {
		_, id := tb.Stores(stick.ServerID)
		_, key := tb.Stores(stick.ServerKey)
		if !id || !key {
			t.Errorf("table %s: server_id %v, server_key %v", tb.Name(), id, key)
		}
	}
	got := strings.Join(notices(p), "\n")
	if n := len(notices(p)); n != 1 || !strings.Contains(got, "[test.cfg:11] : 'stick-table srvkey addr'") {
		t.Errorf("notices:\n%s", got)
	}
}

// TestRDPPersistNeedsLiteralAddresses: persist rdp-cookie compares the
// cookie with server addresses; a server given by name (which HAProxy
// resolves at start) is reported.
func TestRDPPersistNeedsLiteralAddresses(t *testing.T) {
	p := buildText(t, `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind 127.0.0.1:18097
    persist rdp-cookie
    server s1 localhost:18081
    server s2 127.0.0.1:18082
    server s3 [::1]:18083
`)
	got := strings.Join(notices(p), "\n")
	if n := len(notices(p)); n != 1 || !strings.Contains(got, "[test.cfg:9] : 'persist rdp-cookie with server address localhost:18081'") {
		t.Errorf("notices:\n%s", got)
	}
	if be := p.Proxy.Backends[0]; be.RDPCookie != "msts" {
		t.Errorf("RDPCookie %q", be.RDPCookie)
	}
}
