package daemon

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func priorityConf(t *testing.T, global, inst string) *Config {
	t.Helper()
	p := t.TempDir() + "/k.conf"
	conf := "global_defs {\n vrrp_notify_fifo /tmp/goha-fifo\n" + global + "\n}\n" + `vrrp_instance A {
  interface ens160
  virtual_router_id 78
  priority 100
  ` + inst + `
  track_interface {
    ens161 weight 20
  }
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

func fifoLines(ops []string) []string {
	var out []string
	for _, o := range ops {
		if rest, ok := strings.CutPrefix(o, "fifo /tmp/goha-fifo "); ok {
			out = append(out, rest)
		}
	}
	return out
}

// notify_priority_changes as keepalived 2.2.7 in a namespace: a priority
// change writes STATE_PRIORITY to the notify FIFO (state changes as usual).
func TestNotifyPriorityChanges(t *testing.T) {
	prio := []string{`INSTANCE "A" BACKUP 120`, `INSTANCE "A" BACKUP_PRIORITY 100`, `INSTANCE "A" BACKUP_PRIORITY 120`,
		`INSTANCE "A" MASTER 120`, `INSTANCE "A" MASTER_PRIORITY 100`, `INSTANCE "A" STOP 100`}
	for _, tc := range []struct {
		name, global, inst string
		want               []string
	}{
		{"off", "", "", []string{`INSTANCE "A" BACKUP 120`, `INSTANCE "A" MASTER 120`, `INSTANCE "A" STOP 100`}},
		{"instance", "", "notify_priority_changes", prio},
		{"global", "vrrp_notify_priority_changes", "", prio},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// ens161 is up at start (priority 120), goes down and up in
			// BACKUP, and down again in MASTER.
			h := newHarness(t, priorityConf(t, tc.global, tc.inst))
			h.advance(time.Second)
			h.r.link(LinkEvent{Name: "ens161", Up: false}, h.clock)
			h.advance(1500 * time.Millisecond)
			h.r.link(LinkEvent{Name: "ens161", Up: true}, h.clock)
			h.advance(6 * time.Second)
			h.r.link(LinkEvent{Name: "ens161", Up: false}, h.clock)
			h.r.stop(h.clock)
			got := fifoLines(h.f.take())
			if !slices.Equal(got, tc.want) {
				t.Errorf("FIFO\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
