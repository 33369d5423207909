package daemon

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func promoteOps(ops []string) []string {
	var out []string
	for _, o := range ops {
		if strings.HasPrefix(o, "promote_secondaries ") {
			out = append(out, o)
		}
	}
	return out
}

// promote_secondaries as keepalived 2.2.7 in a namespace: the instance's
// interface gets promote_secondaries=1 at start and 0 again on stop, unless
// it was 1 already. Two instances on one interface set it once.
func TestPromoteSecondaries(t *testing.T) {
	conf := `vrrp_instance A {
  interface ens160
  virtual_router_id 1
  promote_secondaries
  virtual_ipaddress {
    10.0.0.1/24
  }
}
vrrp_instance B {
  interface ens160
  virtual_router_id 2
  promote_secondaries
  virtual_ipaddress {
    10.0.0.2/24
  }
}
vrrp_instance C {
  interface ens161
  virtual_router_id 3
  virtual_ipaddress {
    10.0.1.3/24
  }
}
`
	p := t.TempDir() + "/k.conf"
	if err := writeFile(p, conf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.0.0.11", "ens161": "10.0.1.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, tc := range []struct {
		name    string
		already bool
		want    []string
	}{
		{"was 0", false, []string{"promote_secondaries ens160 true", "promote_secondaries ens160 false"}},
		{"was 1", true, []string{"promote_secondaries ens160 true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &harness{t: t, f: newFakeEdge(), clk: newFakeClock()}
			h.f.promote = map[string]bool{"ens160": tc.already}
			h.r = New(c, Options{Edge: h.f, Clock: h.clk})
			ctx, cancel := context.WithCancel(context.Background())
			h.r.bgCancel = cancel
			if err := h.r.setup(ctx); err != nil {
				t.Fatal(err)
			}
			h.r.startAll(0)
			h.advance(5 * time.Second)
			h.r.stop(h.clock)
			if got := promoteOps(h.f.take()); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if h.f.promote["ens160"] != tc.already {
				t.Errorf("promote_secondaries left at %v, was %v", h.f.promote["ens160"], tc.already)
			}
		})
	}
}
