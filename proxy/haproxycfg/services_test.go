package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy"
)

// TestUseServiceRule: `http-request use-service prometheus-exporter` maps
// to a UseService rule; every frontend shares the plan's one exporter.
// The parser refuses other names; a rule the data path does not run (in a
// backend) is reported.
func TestUseServiceRule(t *testing.T) {
	p := buildText(t, `defaults
 mode http
 timeout client 5s
 timeout server 5s
 timeout connect 5s
frontend a
 bind 127.0.0.1:8405
 http-request use-service prometheus-exporter if { path /metrics }
frontend b
 bind 127.0.0.1:8406
 http-request use-service prometheus-exporter
backend c
 http-request use-service prometheus-exporter
`)
	if p.Promex == nil {
		t.Fatal("no exporter in the plan")
	}
	for i, fe := range p.Proxy.Frontends {
		if len(fe.RequestRules) != 1 {
			t.Fatalf("%s: %d rules", fe.Name, len(fe.RequestRules))
		}
		r := fe.RequestRules[0]
		if r.Action != proxy.UseService || r.Service != proxy.Service(p.Promex) || (r.Cond == nil) != (i == 1) {
			t.Errorf("%s: %+v", fe.Name, r)
		}
	}
	if n := strings.Join(notices(p), "\n"); !strings.Contains(n, "http-request use-service in a backend") {
		t.Errorf("notices: %s", n)
	}
	if q := buildText(t, "defaults\n mode http\nfrontend a\n bind 127.0.0.1:8405\n"); q.Promex != nil {
		t.Error("an exporter without a rule")
	}
}
