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
