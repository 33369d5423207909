package proxy

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

func TestServerStatusSettle(t *testing.T) {
	t0 := time.Unix(1000, 0)
	t1 := t0.Add(time.Minute)
	up := ServerStatus{CheckUp: true, Weight: 5, InitWeight: 5, Changed: t0}
	for _, tc := range []struct {
		name    string
		before  ServerStatus
		change  func(*ServerStatus)
		usable  bool
		weight  int
		changed time.Time
		downs   int64
	}{
		{"nothing", up, func(*ServerStatus) {}, true, 5, t0, 0},
		{"weight only keeps lastchg", up, func(s *ServerStatus) { s.Weight = 7 }, true, 7, t0, 0},
		{"maintenance counts a down", up, func(s *ServerStatus) { s.Maint = true }, false, 5, t1, 1},
		{"check down counts a down", up, func(s *ServerStatus) { s.CheckUp = false }, false, 5, t1, 1},
		{"drain: weight 0, no down", up, func(s *ServerStatus) { s.Drain = true }, true, 0, t1, 0},
		{"disable-on-404: weight 0", up, func(s *ServerStatus) { s.CheckDrain = true }, true, 0, t1, 0},
		{"check down in maintenance: no second down", ServerStatus{Maint: true, CheckUp: true, Weight: 5, Changed: t0, Downs: 1},
			func(s *ServerStatus) { s.CheckUp = false }, false, 5, t1, 1},
		{"maintenance of a down server: no down", ServerStatus{CheckUp: false, Weight: 5, Changed: t0, Downs: 1},
			func(s *ServerStatus) { s.Maint = true }, false, 5, t1, 1},
		{"ready again", ServerStatus{Maint: true, CheckUp: true, Weight: 5, Changed: t0},
			func(s *ServerStatus) { s.Maint = false }, true, 5, t1, 0},
	} {
		s := tc.before
		tc.change(&s)
		s = s.settle(tc.before, t1)
		if s.Usable() != tc.usable || s.EffectiveWeight() != tc.weight || !s.Changed.Equal(tc.changed) || s.Downs != tc.downs {
			t.Errorf("%s: usable %v weight %d changed %v downs %d, want %v %d %v %d", tc.name,
				s.Usable(), s.EffectiveWeight(), s.Changed, s.Downs, tc.usable, tc.weight, tc.changed, tc.downs)
		}
	}
}

func TestFrontendMaxconn(t *testing.T) {
	cfg := &Config{MaxConn: 1000, Frontends: []*Frontend{
		{Name: "a", DefaultBackend: "b1", MaxConn: 95},
		{Name: "b", DefaultBackend: "b2", UseBackends: []UseBackend{{Backend: "b1"}}}, // global maxconn
		{Name: "c", DefaultBackend: "b3", MaxConn: 10},
	}}
	for backend, want := range map[string]int{"b1": 1095, "b2": 1000, "b3": 10, "none": 0} {
		if got := cfg.FrontendMaxconn(backend); got != want {
			t.Errorf("FrontendMaxconn(%s) = %d, want %d", backend, got, want)
		}
	}
}

// UpdateServerStatus gives the balancer what admin and check state make
// together: maintenance wins over a check coming back, drain keeps the
// server up with weight 0.
func TestUpdateServerStatus(t *testing.T) {
	cfg := seedConfig("127.0.0.1:1", "127.0.0.1:2")
	cfg.Backends[0].Servers[1].Disabled = true
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	bal := func(name string) *balance.Server {
		for _, s := range p.backends["servers"].list() {
			if s.cfg.Name == name {
				return s.bal
			}
		}
		t.Fatalf("no server %s", name)
		return nil
	}
	if st, ok := p.ServerStatus("servers", "web2"); !ok || !st.Maint || !st.CheckUp || st.InitWeight != 1 {
		t.Fatalf("disabled server starts as %+v, %v", st, ok)
	}
	p.UpdateServerStatus("servers", "web2", func(s *ServerStatus) { s.CheckUp = true })
	if b := bal("web2"); b.Up {
		t.Error("a check took web2 out of maintenance")
	}
	p.UpdateServerStatus("servers", "web1", func(s *ServerStatus) { s.Drain = true })
	if b := bal("web1"); !b.Up || b.Weight != 0 {
		t.Errorf("drained web1: up %v weight %d", b.Up, b.Weight)
	}
	p.UpdateServerStatus("servers", "web1", func(s *ServerStatus) { s.Drain, s.CheckUp = false, false })
	if b := bal("web1"); b.Up || b.Weight != 1 {
		t.Errorf("web1 down by its check: up %v weight %d", b.Up, b.Weight)
	}
	if st, _ := p.ServerStatus("servers", "web1"); st.Downs != 1 {
		t.Errorf("web1 chkdown %d, want 1", st.Downs)
	}
	if err := p.UpdateServerStatus("servers", "nope", func(*ServerStatus) {}); err == nil {
		t.Error("unknown server accepted")
	}
	if _, ok := p.ServerStatus("nope", "web1"); ok {
		t.Error("unknown backend has a status")
	}
}
