package vrrp

import (
	"testing"
	"time"
)

// A member pushed back to BACKUP by a higher-priority master takes the whole
// group to BACKUP, and the group's VIPs all leave.
func TestSyncGroupFollowsBackup(t *testing.T) {
	a := plainConfig(100, lb1)
	a.Name = "VI_A"
	b := plainConfig(100, lb1)
	b.Name, b.VRID, b.VIPs = "VI_B", 52, addrs("192.168.110.200")
	ia, ib := NewInstance(a), NewInstance(b)
	g := &SyncGroup{Name: "G1", Members: []*Instance{ia, ib}}
	out := g.Step(0, Start{Now: 0})
	g.Step(1, Start{Now: 0})
	g.Step(0, TimerExpired{Now: timerAt(t, out[0].Actions, TimerMasterDown), Kind: TimerMasterDown})
	if ia.State() != StateMaster || ib.State() != StateMaster {
		t.Fatalf("states %s %s", ia.State(), ib.State())
	}
	out = g.Step(0, rx(10*time.Second, payload(t, plainConfig(200, lb2), 200, lb2), lb2))
	if ia.State() != StateBackup || ib.State() != StateBackup {
		t.Fatalf("states %s %s", ia.State(), ib.State())
	}
	if len(out) != 2 || out[1].Member != 1 {
		t.Fatalf("member actions %v", out)
	}
	if d, ok := find[DelVIPs](out[1].Actions); !ok || d.String() != "DelVIPs 192.168.110.200" {
		t.Fatalf("VI_B kept its VIP: %v", out[1].Actions)
	}
	mustLog(t, out[0].Actions, "VRRP_Group(G1) Syncing instances to BACKUP state")
	// A member stopped by SIGTERM is not dragged anywhere by the group.
	g.Step(1, Shutdown{Now: 11 * time.Second})
	g.Step(0, InterfaceDown{Now: 12 * time.Second})
	if ib.State() != StateStop || ia.State() != StateFault {
		t.Fatalf("states %s %s", ia.State(), ib.State())
	}
}
