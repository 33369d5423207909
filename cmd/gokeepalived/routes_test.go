package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigTestNamesUnsupportedRouteOptions: -t names each route or rule
// line the daemon would leave out, as the parser names unsupported
// keywords, and the exit status stays keepalived's.
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
	var out bytes.Buffer
	code := ConfigTest(p, "x", []string{"lo"}, &out)
	if code != 0 {
		t.Errorf("exit %d, want 0 (goha notices do not count)\n%s", code, out.String())
	}
	for _, want := range []string{
		"goha: (" + p + ": Line 8) (x) virtual_routes: route \"10.1.0.0/16 dev lo nexthop via 10.0.0.2\" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet\n",
		"goha: (" + p + ": Line 16) static_routes: route \"10.4.0.0/16 dev lo realms 3\" is not installed: 'realms' is parsed but not supported by gokeepalived yet\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-t output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "is not installed"); n != 2 {
		t.Errorf("%d lines reported, want 2:\n%s", n, out.String())
	}
}
