package haproxycmd

import (
	"strings"
	"testing"
)

const scResponseCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store gpc(2),gpc_rate(2,10s),gpt(2)
    http-request track-sc0 src
    http-response sc-inc-gpc0(0) if { status 404 }
    http-response sc-inc-gpc(1,0) if { status ge 500 }
    http-response sc-set-gpt0(0) status if { status 200 }
    http-response sc-set-gpt(1,0) 9 if { status 503 }
    http-response sc-inc-gpc1(1) if { status 404 }
    default_backend be
backend be
    server s1 ORIGIN
`

// TestSCResponseActionsMatchHAProxy: sc-inc-gpc0/gpc/gpc1 and
// sc-set-gpt0/gpt in http-response rules, on the counters the request
// tracked (sc1 tracks nothing: its rule does nothing; gpc0, gpc1 and gpt0
// are elements of the gpc and gpt arrays), conditioned on the
// server's status: the same show table as HAProxy 2.6 after the same
// responses.
func TestSCResponseActionsMatchHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, strings.Replace(scResponseCfg, "ORIGIN", statusOrigin(t), 1))
	for _, path := range []string{"/s/404", "/s/404", "/s/200", "/s/503", "/s/500", "/s/404"} {
		ha, goha := statusFrom(t, "127.0.0.6", haBind, path), statusFrom(t, "127.0.0.6", goBind, path)
		if ha != goha {
			t.Errorf("%s: haproxy %d, goha %d", path, ha, goha)
		}
	}
	ha, goha := normTable(settledTable(t, haSock, "fe")), normTable(settledTable(t, goSock, "fe"))
	if ha != goha || !strings.Contains(goha, "gpc0=3 gpc1=2") {
		t.Errorf("show table fe\nhaproxy:\n%s\ngoha:\n%s", ha, goha)
	}
}
