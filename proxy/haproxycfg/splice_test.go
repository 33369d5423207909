package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy"
)

// option splice-* reach proxy.Frontend/Backend.Splice with HAProxy's
// inheritance (defaults, `no option`; HAProxy 2.6.12 refuses `default
// option splice-*`: TestDefaultOptionCheckMatchesHAProxy), global nosplice
// reaches proxy.Config.NoSplice, and none of them is reported.
func TestSpliceOptions(t *testing.T) {
	p := buildText(t, `global
    nosplice
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    option splice-auto
frontend inherits
    bind 127.0.0.1:1
    default_backend plain
frontend negated
    bind 127.0.0.1:2
    no option splice-auto
    option splice-request
    default_backend both
backend plain
    server s 127.0.0.1:9
backend both
    no option splice-auto
    option splice-request
    option splice-response
    server s 127.0.0.1:9
listen l
    bind 127.0.0.1:4
    option splice-response
    server s 127.0.0.1:9
`)
	if !p.Proxy.NoSplice {
		t.Error("global nosplice not mapped")
	}
	wantFE := map[string]proxy.SpliceOptions{
		"inherits": {Auto: true},
		"negated":  {Request: true},
		"l":        {Auto: true, Response: true},
	}
	for _, fe := range p.Proxy.Frontends {
		if fe.Splice != wantFE[fe.Name] {
			t.Errorf("frontend %s: splice %+v, want %+v", fe.Name, fe.Splice, wantFE[fe.Name])
		}
	}
	wantBE := map[string]proxy.SpliceOptions{
		"plain": {Auto: true},
		"both":  {Request: true, Response: true},
		"l":     {Auto: true, Response: true},
	}
	for _, be := range p.Proxy.Backends {
		if be.Splice != wantBE[be.Name] {
			t.Errorf("backend %s: splice %+v, want %+v", be.Name, be.Splice, wantBE[be.Name])
		}
	}
	for _, n := range notices(p) {
		if strings.Contains(n, "splice") {
			t.Errorf("notice: %s", n)
		}
	}
}

// Without nosplice and splice options nothing splices.
func TestNoSpliceByDefault(t *testing.T) {
	p := buildText(t, `defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind 127.0.0.1:4
    server s 127.0.0.1:9
`)
	if p.Proxy.NoSplice || p.Proxy.Frontends[0].Splice != (proxy.SpliceOptions{}) || p.Proxy.Backends[0].Splice != (proxy.SpliceOptions{}) {
		t.Errorf("splice settings without options: %v %+v %+v", p.Proxy.NoSplice, p.Proxy.Frontends[0].Splice, p.Proxy.Backends[0].Splice)
	}
}
