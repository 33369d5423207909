package keepalivedcmd

import (
	"testing"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// TestRuntimeText: the running keepalived 2.2.7 prints main-file positions
// as "(Line N)" (seen: "(Line 7) vrrp_garp_interval '0' is invalid").
func TestRuntimeText(t *testing.T) {
	for _, tc := range []struct {
		d    ka.Diagnostic
		want string
	}{
		{ka.Diagnostic{File: "/etc/keepalived/keepalived.conf", Line: 7, Message: "vrrp_garp_interval '0' is invalid"}, "(Line 7) vrrp_garp_interval '0' is invalid"},
		{ka.Diagnostic{File: "/etc/keepalived/inc.conf", Line: 2, Message: "Unknown keyword 'x'"}, "(/etc/keepalived/inc.conf: Line 2) Unknown keyword 'x'"},
		{ka.Diagnostic{Message: "(lb_ha) Strict mode does not support authentication. Ignoring."}, "(lb_ha) Strict mode does not support authentication. Ignoring."},
		{ka.Diagnostic{Message: "(lb_ha) vrrp_strict without accept", GohaOnly: true}, "goha: (lb_ha) vrrp_strict without accept"},
	} {
		if got := runtimeText(tc.d, "/etc/keepalived/keepalived.conf"); got != tc.want {
			t.Errorf("runtimeText(%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
