package haproxycfg

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestBindIDDifferential: `bind ... id <n>` and the ids HAProxy 2.6
// gives the binds without one (the free ones, in order), with `name`,
// read back through so_id and so_name by a return rule, beside HAProxy.
func TestBindIDDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	const n = 4
	var cfgs [2]string
	var addrs [2][n]string
	for i := range cfgs {
		for k := range n {
			addrs[i][k] = loopback.FreeAddr(t)
		}
		a := addrs[i]
		cfgs[i] = quickDefaults("http") + "frontend fe\n" +
			"    bind " + a[0] + " id 3 name first\n" +
			"    bind " + a[1] + "\n" +
			"    bind " + a[2] + " id 1\n" +
			"    bind " + a[3] + " name last\n" +
			"    http-request return status 200 content-type text/plain lf-string \"id=%[so_id] name=%[so_name]\"\n"
	}
	requireRuns(t, cfgs[1])
	difftest.StartHAProxy(t, cfgs[0], addrs[0][0])
	runPlan(t, cfgs[1])
	for k := range n {
		var got [2]string
		for i := range got {
			got[i] = string(body(mustExchange(t, addrs[i][k], "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")))
		}
		if got[0] != got[1] {
			t.Errorf("bind %d: haproxy %q, goha %q", k, got[0], got[1])
		}
		t.Logf("bind %d: %s", k, got[0])
	}
}

// mustExchange is difftest.Exchange with a 1 s idle limit; an error fails
// the test.
func mustExchange(t *testing.T, addr, raw string) []byte {
	t.Helper()
	out, err := difftest.Exchange(addr, []byte(raw), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
