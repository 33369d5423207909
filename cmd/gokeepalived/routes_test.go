package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// TestConfigTestNamesUnsupportedRouteOptions: -t names each route or rule
// line the daemon would leave out, as the parser names unsupported
// keywords; they are unsupported features: -t fails unless the operator
// allows them.
func TestConfigTestNamesUnsupportedRouteOptions(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k.conf")
	conf := `vrrp_instance x {
    interface lo
    virtual_router_id 5
    virtual_ipaddress {
        10.0.0.1
    }
    virtual_routes {
        10.1.0.0/16 dev lo nexthop via 10.0.0.2
        10.2.0.0/16 dev lo
    }
    virtual_rules {
        from 10.3.0.0/16 table 7 priority 7
    }
}
static_routes {
    10.4.0.0/16 dev lo realms 3
}
`
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, allow := range []bool{false, true} {
		var out bytes.Buffer
		code := ConfigTest(p, "x", []string{"lo"}, allow, &out)
		// keepalived -t accepts the file (0); gokeepalived refuses it
		// unless the operator allows unsupported features.
		wantCode, suffix := ka.ExitUnsupported, ""
		if allow {
			wantCode, suffix = 0, ka.AllowedSuffix
		}
		if code != wantCode {
			t.Errorf("allow=%v: exit %d, want %d\n%s", allow, code, wantCode, out.String())
		}
		for _, want := range []string{
			"goha: (" + p + ": Line 8) (x) virtual_routes: route \"10.1.0.0/16 dev lo nexthop via 10.0.0.2\" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet" + suffix + "\n",
			"goha: (" + p + ": Line 16) static_routes: route \"10.4.0.0/16 dev lo realms 3\" is not installed: 'realms' is parsed but not supported by gokeepalived yet" + suffix + "\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("-t output lacks %q:\n%s", want, out.String())
			}
		}
		if n := strings.Count(out.String(), "is not installed"); n != 2 {
			t.Errorf("%d lines reported, want 2:\n%s", n, out.String())
		}
	}
}
