package haproxycfg

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/balance"
)

// A layer 7 balance algorithm in a tcp-mode backend falls back to round
// robin as in HAProxy (whose warning the parser prints); an HTTP backend
// keeps it.
func TestLayer7BalanceInTCPFallsBack(t *testing.T) {
	p := buildText(t, `defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend t1
    mode tcp
    balance uri
    server s 127.0.0.1:1
backend t2
    mode tcp
    balance url_param foo
    server s 127.0.0.1:1
backend t3
    mode tcp
    balance hdr(host)
    server s 127.0.0.1:1
backend t4
    mode tcp
    balance source
    server s 127.0.0.1:1
backend h1
    mode http
    balance hdr(host)
    server s 127.0.0.1:1
`)
	want := map[string]string{"t1": "roundrobin", "t2": "roundrobin", "t3": "roundrobin", "t4": "source", "h1": "hdr"}
	for name, algo := range want {
		if got := balanceOf(p, name).Algorithm; got != algo {
			t.Errorf("%s: balance %q, want %q", name, got, algo)
		}
	}
	if h := balanceOf(p, "h1").Header; h != (balance.HeaderParams{Name: "host"}) {
		t.Errorf("h1: hdr parameters %+v, want hdr(host)", h)
	}
	for _, be := range p.Proxy.Backends {
		if be.Balance.Algorithm != want[be.Name] {
			t.Errorf("%s: proxy.Backend.Balance %q, want %q", be.Name, be.Balance.Algorithm, want[be.Name])
		}
	}
	if n := notices(p); len(n) != 0 {
		t.Errorf("notices: %q", n)
	}
}

// hash-balance-factor (inherited from defaults), spread-checks and
// http-check disable-on-404 reach proxy/balance and proxy/check, without a
// "not supported" notice.
func TestHonouredTuning(t *testing.T) {
	p := buildText(t, `global
    spread-checks 5
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    hash-balance-factor 150
backend b
    balance uri
    hash-type consistent
    option httpchk GET /health
    http-check disable-on-404
    server s 127.0.0.1:1 check
backend plain
    hash-balance-factor 0
    option httpchk
    server s 127.0.0.1:1 check
`)
	if got := balanceOf(p, "b").Options.HashBalanceFactor; got != 150 {
		t.Errorf("b hash-balance-factor %d", got)
	}
	if got := balanceOf(p, "plain").Options.HashBalanceFactor; got != 0 {
		t.Errorf("plain hash-balance-factor %d", got)
	}
	if p.Process.SpreadChecks != 5 {
		t.Errorf("spread-checks %d", p.Process.SpreadChecks)
	}
	on := map[string]bool{}
	for _, c := range p.Checks {
		on[c.Target.Backend] = c.DisableOn404
	}
	if !on["b"] || on["plain"] {
		t.Errorf("disable-on-404 by backend: %v", on)
	}
	for _, n := range notices(p) {
		if strings.Contains(n, "404") || strings.Contains(n, "spread") || strings.Contains(n, "hash-balance") {
			t.Errorf("notice: %s", n)
		}
	}
}

// A leading `http-check connect port N [addr A]` reaches the HTTP probe;
// one after a send, or with options proxy/check lacks, is reported.
// `http-check comment` labels the expects after it (not reported).
func TestHTTPCheckConnect(t *testing.T) {
	p := buildText(t, `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend lead
    option httpchk
    http-check connect port 8081 addr 127.0.0.2
    http-check send meth GET uri /health
    server s 127.0.0.1:80 check
backend late
    option httpchk
    http-check send meth GET uri /health
    http-check connect port 8082
    server s 127.0.0.1:80 check
backend tls
    option httpchk
    http-check comment probing
    http-check connect port 8083 ssl sni a.example alpn h2
    server s 127.0.0.1:80 check verify none
`)
	got := map[string]string{}
	for _, c := range p.Checks {
		got[c.Target.Backend] = fmt.Sprintf("%s:%d", c.Connect.Addr, c.Connect.Port)
		if c.Connect.SSL {
			// the rule's own TLS, over the server line's settings
			got[c.Target.Backend] += fmt.Sprintf(" ssl %s %v %v", c.Connect.SNI, c.Connect.ALPN, c.Connects.TLS != nil && c.Connects.TLS.InsecureSkipVerify)
		}
	}
	want := map[string]string{"lead": "127.0.0.2:8081", "late": ":0", "tls": ":8083 ssl a.example [h2] true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("connect by backend %v, want %v", got, want)
	}
	n := notices(p)
	wantN := []string{"'http-check connect port 8082' parsed"}
	if len(n) != len(wantN) {
		t.Fatalf("notices %q", n)
	}
	for i, w := range wantN {
		if !strings.Contains(n[i], w) {
			t.Errorf("notice %q, want %q", n[i], w)
		}
	}
}

// balance hash with a supported fetch reaches proxy/balance without a
// notice; converters are reported and round robin used.
func TestBalanceHashExpression(t *testing.T) {
	p := buildText(t, `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend h1
    balance hash path
    server s 127.0.0.1:1
backend h2
    balance hash urlp(id)
    hash-type consistent
    server s 127.0.0.1:1
backend h3
    balance hash req.hdr(host),lower
    server s 127.0.0.1:1
`)
	for name, want := range map[string]balance.Spec{
		"h1": {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchPath}},
		"h2": {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchURLParam, Param: "id"}},
		"h3": {Algorithm: "roundrobin"},
	} {
		if got := balanceOf(p, name); got.Algorithm != want.Algorithm || got.Hash != want.Hash {
			t.Errorf("%s: %s %+v, want %s %+v", name, got.Algorithm, got.Hash, want.Algorithm, want.Hash)
		}
	}
	n := notices(p)
	if len(n) != 1 || !strings.Contains(n[0], "balance hash req.hdr(host),lower: converters and extra fetch arguments are not supported yet") {
		t.Errorf("notices: %q", n)
	}
}
