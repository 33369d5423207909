package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy"
)

// TestUseServiceRule: `http-request use-service prometheus-exporter` maps
// to a UseService rule; every frontend shares the plan's one exporter.
// The parser refuses other names. A backend runs the rule too, unless a
// reply of its would go through an http-response action goha does not
// apply to a service's reply (its own or a frontend's; replace-header on
// the framing field: backend_service.go): then the rule is
// reported, as it is in a frontend whose own http-response rules hold such
// an action.
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
backend d
 http-request use-service prometheus-exporter
 http-response replace-header x a b
 http-response replace-header transfer-encoding a b
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
	for _, be := range p.Proxy.Backends {
		if want := map[string]int{"c": 1, "d": 0}[be.Name]; len(be.RequestRules) != want || want == 1 && be.RequestRules[0].Action != proxy.UseService {
			t.Errorf("backend %s: rules %+v", be.Name, be.RequestRules)
		}
	}
	if n := strings.Join(notices(p), "\n"); !strings.Contains(n, "http-request use-service in a backend whose replies would go through http-response replace-header") ||
		strings.Count(n, "use-service") != 1 {
		t.Errorf("notices: %s", n)
	}
	e := buildText(t, "defaults\n mode http\nfrontend e\n bind 127.0.0.1:8407\n http-request use-service prometheus-exporter\n"+
		" http-response replace-value content-length a b\n default_backend c\nbackend c\n http-request use-service prometheus-exporter\n")
	if n := strings.Join(notices(e), "\n"); len(e.Proxy.Frontends[0].RequestRules) != 0 || len(e.Proxy.Backends[0].RequestRules) != 0 ||
		!strings.Contains(n, "[test.cfg:5] : 'http-request use-service whose replies would go through http-response replace-value (test.cfg:6)") ||
		!strings.Contains(n, "[test.cfg:9] : 'http-request use-service in a backend whose replies would go through http-response replace-value (test.cfg:6)") {
		t.Errorf("a frontend's replace-value: notices %s", n)
	}
	// res.body* on a service's reply: HAProxy's read its body, goha's none
	for i, rule := range []string{" http-response set-var(txn.l) res.body_len", " http-response set-header x %[res.body,length]",
		" acl big res.body_size gt 10\n http-response set-status 299 if big", " http-response deny if { res.body -m sub x }"} {
		r := buildText(t, "defaults\n mode http\nfrontend e\n bind 127.0.0.1:8407\n http-request use-service prometheus-exporter\n"+rule+"\n")
		if n := strings.Join(notices(r), "\n"); len(r.Proxy.Frontends[0].RequestRules) != 0 ||
			!strings.Contains(n, "[test.cfg:5] : 'http-request use-service whose replies would go through http-response ") {
			t.Errorf("res.body rule %d: notices %s", i, n)
		}
	}
	if r := buildText(t, "defaults\n mode http\nfrontend e\n bind 127.0.0.1:8407\n http-request use-service prometheus-exporter\n"+
		" http-response set-var(txn.l) res.hdr_cnt\n"); len(r.Proxy.Frontends[0].RequestRules) != 1 {
		t.Errorf("a rule without res.body refused: %s", notices(r))
	}
	if q := buildText(t, "defaults\n mode http\nfrontend a\n bind 127.0.0.1:8405\n"); q.Promex != nil {
		t.Error("an exporter without a rule")
	}
}
