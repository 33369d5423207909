package proxy

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// A server added at run time is in maintenance until its state is set
// ready, then takes its share; it can be deleted only in maintenance;
// requests keep flowing while the list changes (run with -race).
func TestAddDelServerWhileServing(t *testing.T) {
	a, b := textBackend(t, "A"), textBackend(t, "B")
	cfg := seedConfig(a.addr)
	cfg.Backends[0].Balance.Algorithm = "roundrobin"
	p, addr := startProxy(t, cfg)
	get := func() string {
		return rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", time.Second)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // traffic while servers come and go
		defer wg.Done()
		for i := 0; i < 200; i++ {
			select {
			case <-stop:
				return
			default:
			}
			get()
		}
	}()
	for i := 0; i < 20; i++ {
		if _, err := p.AddServer("servers", &Server{Name: "dyn", Addr: b.addr, Weight: 1}, 0); err != nil {
			t.Fatal(err)
		}
		if err := p.DelServer("servers", "dyn"); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	id, err := p.AddServer("servers", &Server{Name: "dyn", Addr: b.addr, Weight: 1}, 0)
	if err != nil || id != 2 {
		t.Fatalf("AddServer: id %d, %v", id, err)
	}
	if _, err := p.AddServer("servers", &Server{Name: "dyn", Addr: b.addr}, 0); !errors.Is(err, ErrServerExists) {
		t.Errorf("a second dyn: %v", err)
	}
	for i := 0; i < 4; i++ {
		if got := get(); !strings.HasSuffix(got, "A") {
			t.Fatalf("the added server took traffic in maintenance: %q", got)
		}
	}
	if err := p.UpdateServerStatus("servers", "dyn", func(s *ServerStatus) { s.Maint = false }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := 0; i < 10; i++ {
		got := get()
		seen[got[len(got)-1:]]++
	}
	if seen["A"] != 5 || seen["B"] != 5 {
		t.Errorf("shares after ready: %v, want 5 and 5", seen)
	}
	if err := p.DelServer("servers", "dyn"); !errors.Is(err, ErrServerNotMaint) {
		t.Errorf("deleting a server in service: %v", err)
	}
}
