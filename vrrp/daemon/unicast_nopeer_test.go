package daemon

import (
	"slices"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// unicast_fault_no_peer as keepalived 2.2.7 in a namespace: with no unicast
// peer (an empty unicast_peer block, or none) the instance logs "Cannot use
// unicast without any peers - going to fault state" and never becomes MASTER;
// without the keyword it runs multicast.
func TestUnicastFaultNoPeer(t *testing.T) {
	for _, tc := range []struct {
		name, lines string
		want        vrrp.State
	}{
		{"empty block, keyword", "unicast_fault_no_peer\n  unicast_peer {\n  }", vrrp.StateFault},
		{"keyword alone", "unicast_fault_no_peer", vrrp.StateFault},
		{"empty block alone", "unicast_peer {\n  }", vrrp.StateMaster},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := t.TempDir() + "/k.conf"
			conf := "vrrp_instance A {\n  interface ens160\n  virtual_router_id 77\n  " + tc.lines + "\n  virtual_ipaddress {\n    10.77.0.100/24\n  }\n}\n"
			if err := writeFile(p, conf); err != nil {
				t.Fatal(err)
			}
			c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			h := newHarness(t, c)
			h.advance(10 * time.Second)
			if got := h.state("A"); got != tc.want {
				t.Errorf("state %s, want %s", got, tc.want)
			}
			logged := slices.Contains(h.takeLogs(), "(A) Cannot use unicast without any peers - going to fault state")
			if logged != (tc.want == vrrp.StateFault) {
				t.Errorf("fault line logged: %v", logged)
			}
		})
	}
}
