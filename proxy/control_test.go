package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

func TestUpdateServerTakesServerOutOfRotation(t *testing.T) {
	b1, b2 := textBackend(t, "one"), textBackend(t, "two")
	p, addr := startProxy(t, seedConfig(b1.addr, b2.addr))
	if err := p.UpdateServer("servers", "web1", func(s *balance.Server) { s.Up = false }); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second); !strings.HasSuffix(got, "two") {
			t.Fatalf("got %q", got)
		}
	}
	if st := p.Backends()[0].Servers[0]; st.Up || st.Stats.Sessions != 0 {
		t.Fatalf("web1 state %+v", st)
	}
	if err := p.UpdateServer("servers", "nope", func(*balance.Server) {}); err == nil {
		t.Fatal("unknown server accepted")
	}
	// All servers down: 503 at once, not a queue wait.
	p.UpdateServer("servers", "web2", func(s *balance.Server) { s.Up = false })
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second); got != builtinErrors[503] {
		t.Fatalf("got %q", got)
	}
}

func TestNewRejectsBadConfigs(t *testing.T) {
	mixed := seedConfig("127.0.0.1:1")
	mixed.Backends[0].Mode = ModeTCP
	unknown := seedConfig("127.0.0.1:1")
	unknown.Frontends[0].DefaultBackend = "nope"
	dup := seedConfig("127.0.0.1:1")
	dup.Backends = append(dup.Backends, dup.Backends[0])
	for name, cfg := range map[string]*Config{"mixed modes": mixed, "unknown backend": unknown, "duplicate": dup} {
		if _, err := New(cfg, Options{NewBalancer: newTestBalancer}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(seedConfig("127.0.0.1:1"), Options{}); err == nil {
		t.Error("missing balancer factory accepted")
	}
}
