package acl

import "testing"

// TestStickFetchNamesAsHAProxy: the numbered forms of the indexed gpc/gpt
// fetches and src_trackers are unknown fetch methods to HAProxy 2.6.12
// (haproxy -c on each, 2026-12-07), except sc1_clr_gpc; the sc_ and src_
// forms are known.
func TestStickFetchNamesAsHAProxy(t *testing.T) {
	known := map[string]bool{
		"sc0_get_gpc": false, "sc0_get_gpt": false, "sc0_gpc_rate": false, "sc0_inc_gpc": false, "sc0_clr_gpc": false,
		"sc1_get_gpc": false, "sc1_get_gpt": false, "sc1_gpc_rate": false, "sc1_inc_gpc": false, "sc1_clr_gpc": true,
		"sc2_get_gpc": false, "sc2_get_gpt": false, "sc2_gpc_rate": false, "sc2_inc_gpc": false, "sc2_clr_gpc": false,
		"src_trackers": false, "sc0_trackers": true, "sc_trackers": true, "sc0_tracked": true, "sc_tracked": true,
		"sc_get_gpc": true, "sc_get_gpt": true, "sc_gpc_rate": true, "sc_inc_gpc": true, "sc_clr_gpc": true,
		"src_get_gpc": true, "src_get_gpt": true, "src_gpc_rate": true, "src_inc_gpc": true, "src_clr_gpc": true,
		"sc0_get_gpc0": true, "sc2_clr_gpc1": true, "src_updt_conn_cnt": true, "sc0_updt_conn_cnt": false,
	}
	for name, want := range known {
		if _, got := stickFetchDef(name); got != want {
			t.Errorf("%s known = %v, HAProxy 2.6.12: %v", name, got, want)
		}
	}
}
