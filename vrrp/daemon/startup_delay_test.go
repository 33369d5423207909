package daemon

import (
	"slices"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

func startupDelayConfig(t *testing.T, global string) *Config {
	t.Helper()
	p := t.TempDir() + "/k.conf"
	conf := "global_defs {\n" + global + "\n}\n" + `vrrp_instance A {
  interface ens160
  virtual_router_id 77
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`
	if err := writeFile(p, conf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

// vrrp_startup_delay 2.5 against keepalived 2.2.7 in a namespace: "Delaying
// startup for 2.5 seconds", BACKUP at once, MASTER after 2.5 s + 3 adverts
// + skew (256-100)/256 s instead of after 3.61 s.
func TestStartupDelay(t *testing.T) {
	masterDown := 3*time.Second + 156*time.Second/256
	for _, tc := range []struct {
		global   string
		delay    time.Duration
		delayLog string
	}{
		{"", 0, ""},
		{"vrrp_startup_delay 2.5", 2500 * time.Millisecond, "Delaying startup for 2.5 seconds"},
		{"vrrp_startup_delay 5", 5 * time.Second, "Delaying startup for 5 seconds"},
	} {
		t.Run(tc.global, func(t *testing.T) {
			h := newHarness(t, startupDelayConfig(t, tc.global))
			logs := h.takeLogs()
			if got := slices.Contains(logs, tc.delayLog); got != (tc.delayLog != "") {
				t.Errorf("log %q: %v in %q", tc.delayLog, got, logs)
			}
			if h.state("A") != vrrp.StateBackup {
				t.Fatalf("state at start %s, want BACKUP", h.state("A"))
			}
			h.advance(tc.delay + masterDown - 10*time.Millisecond)
			if h.state("A") != vrrp.StateBackup {
				t.Fatalf("state at %s: %s, want BACKUP", h.clock, h.state("A"))
			}
			h.advance(tc.delay + masterDown + 10*time.Millisecond)
			if h.state("A") != vrrp.StateMaster {
				t.Fatalf("state at %s: %s, want MASTER", h.clock, h.state("A"))
			}
		})
	}
}

// down_timer_adverts / vrrp_down_timer_adverts 5 against keepalived 2.2.7 in
// a namespace: MASTER after 5 adverts + skew (5.61 s) instead of 3.61 s.
func TestDownTimerAdverts(t *testing.T) {
	skew := 156 * time.Second / 256
	for _, tc := range []struct {
		global, inst string
		adverts      time.Duration
	}{
		{"", "", 3},
		{"vrrp_down_timer_adverts 5", "", 5},
		{"vrrp_down_timer_adverts 5", "down_timer_adverts 2", 2},
	} {
		t.Run(tc.global+"/"+tc.inst, func(t *testing.T) {
			c := startupDelayConfig(t, tc.global)
			if tc.inst != "" {
				p := t.TempDir() + "/k.conf"
				conf := "global_defs {\n" + tc.global + "\n}\nvrrp_instance A {\n interface ens160\n virtual_router_id 77\n priority 100\n " +
					tc.inst + "\n virtual_ipaddress {\n  10.77.0.100/24\n }\n}\n"
				if err := writeFile(p, conf); err != nil {
					t.Fatal(err)
				}
				var errs []error
				c, errs = MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
				if len(errs) > 0 {
					t.Fatal(errs)
				}
			}
			h := newHarness(t, c)
			down := tc.adverts*time.Second + skew
			h.advance(down - 10*time.Millisecond)
			if h.state("A") != vrrp.StateBackup {
				t.Fatalf("state at %s: %s, want BACKUP", h.clock, h.state("A"))
			}
			h.advance(down + 10*time.Millisecond)
			if h.state("A") != vrrp.StateMaster {
				t.Fatalf("state at %s: %s, want MASTER", h.clock, h.state("A"))
			}
		})
	}
}
