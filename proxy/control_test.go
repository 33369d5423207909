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
	noAlgo := seedConfig("127.0.0.1:1")
	noAlgo.Backends[0].Balance = balance.Spec{}
	if _, err := New(noAlgo, Options{}); err == nil {
		t.Error("backend without a balance algorithm accepted")
	}
	unbuildable := seedConfig("127.0.0.1:1")
	unbuildable.Backends[0].Balance = balance.Spec{Algorithm: "rdp-cookie"}
	if _, err := New(unbuildable, Options{}); err == nil {
		t.Error("balance rdp-cookie accepted")
	}
}

// Without Options.NewBalancer, New builds each backend's balancer from its
// Backend.Balance with balance.Build.
func TestNewBuildsBalancers(t *testing.T) {
	cfg := seedConfig("127.0.0.1:1", "127.0.0.1:2")
	cfg.Backends[0].Servers[1].Weight = 2
	cfg.Backends[0].Balance = balance.Spec{Algorithm: "static-rr"}
	p, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 3 {
		got = append(got, p.backends["servers"].bal.Pick(&balance.Request{}).Name)
	}
	if strings.Join(got, " ") != "web1 web2 web2" {
		t.Errorf("static-rr 1/2 picks %v, want web1 web2 web2", got)
	}
}

// A server that dies while the proxy holds pooled connections to it: the
// next request finds the pooled connection dead, cannot reconnect, and is
// redispatched to the other server instead of failing.
func TestDeadPooledServerRedispatches(t *testing.T) {
	a, b := textBackend(t, "A"), textBackend(t, "B")
	cfg := keepAliveCfg(a.addr)
	cfg.Backends[0].Servers = append(cfg.Backends[0].Servers, &Server{Name: "web2", Addr: b.addr, Weight: 1})
	cfg.Backends[0].Retries = 1
	p, addr := startProxy(t, cfg)
	req := "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	for _, want := range []string{"A", "B"} {
		if got := rawExchange(t, addr, req, 2*time.Second); !strings.HasSuffix(got, want) {
			t.Fatalf("warm-up: got %q, want %s", got, want)
		}
	}
	if p.Backends()[0].Servers[0].Idle != 1 {
		t.Fatalf("no pooled connection to web1: %+v", p.Backends()[0].Servers[0])
	}
	a.srv.Close() // closes the listener and every connection
	time.Sleep(50 * time.Millisecond)
	if got := rawExchange(t, addr, req, 3*time.Second); !strings.HasSuffix(got, "B") {
		t.Fatalf("after web1 died: got %q", got)
	}
}
