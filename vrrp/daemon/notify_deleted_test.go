package daemon

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// An instance removed by a reload, as keepalived 2.2.7 in a namespace: with
// notify_deleted that script runs without arguments and the generic notify
// and the FIFO say DELETED; without it they say FAULT (notify_stop is not
// run).
func TestNotifyDeletedOnReload(t *testing.T) {
	conf := func(withA, deleted bool) *Config {
		a := `vrrp_instance A {
  interface ens160
  virtual_router_id 77
  notify_stop /bin/stop.sh
  notify_fault /bin/fault.sh
  notify /bin/notify.sh
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`
		if deleted {
			a = strings.Replace(a, "  notify /bin/notify.sh\n", "  notify /bin/notify.sh\n  notify_deleted /bin/deleted.sh\n", 1)
		}
		b := "vrrp_instance B {\n  interface ens160\n  virtual_router_id 78\n  virtual_ipaddress {\n    10.77.0.101/24\n  }\n}\n"
		text := "global_defs {\n  vrrp_notify_fifo /tmp/goha-fifo\n}\n" + b
		if withA {
			text += a
		}
		p := t.TempDir() + "/k.conf"
		if err := writeFile(p, text); err != nil {
			t.Fatal(err)
		}
		c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return c
	}
	for _, tc := range []struct {
		deleted bool
		want    []string
	}{
		{false, []string{"spawn /bin/fault.sh", "spawn /bin/notify.sh INSTANCE A FAULT 100", `fifo /tmp/goha-fifo INSTANCE "A" FAULT 100`}},
		{true, []string{"spawn /bin/deleted.sh", "spawn /bin/notify.sh INSTANCE A DELETED 100", `fifo /tmp/goha-fifo INSTANCE "A" DELETED 100`}},
	} {
		h := newHarness(t, conf(true, tc.deleted))
		h.advance(time.Second)
		h.f.take()
		h.r.reload(conf(false, tc.deleted), h.clock)
		var got []string
		for _, o := range h.f.take() {
			if strings.HasPrefix(o, "spawn ") || (strings.HasPrefix(o, "fifo ") && strings.Contains(o, `"A"`)) {
				got = append(got, o)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("notify_deleted %v:\n got %q\nwant %q", tc.deleted, got, tc.want)
		}
	}
}
