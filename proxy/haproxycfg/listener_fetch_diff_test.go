package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestListenerFetchesDifferential: so_name (the bind line's name, none
// without one) and dst_conn (the listener's open connections, the asking
// one included; another listener's are not counted), against HAProxy 2.6,
// with two idle connections held open on the first listener.
func TestListenerFetchesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cfg := httpHead +
		"frontend fe\n    bind BIND_A name web\n    bind BIND_B\n" +
		"    http-request return status 200 hdr x-n \"<%[so_name]>\" hdr x-c \"%[dst_conn]\" hdr x-i \"%[so_id]\"\n"
	addrs := func() (string, string, string) {
		a, b := loopback.FreeAddr(t), loopback.FreeAddr(t)
		return strings.NewReplacer("BIND_A", a, "BIND_B", b).Replace(cfg), a, b
	}
	haCfg, haA, haB := addrs()
	goCfg, goA, goB := addrs()
	difftest.StartHAProxy(t, haCfg, haA)
	runPlan(t, goCfg)
	ask := func(addr string) string {
		raw, err := difftest.Exchange(addr, []byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(raw), "\r\n") {
			if strings.HasPrefix(l, "x-") {
				out = append(out, l)
			}
		}
		return strings.Join(out, " ")
	}
	hold := func(addr string) {
		for range 2 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
		}
	}
	// The daemons count a connection until they have handled its close,
	// or from when they have accepted it: the readiness probe's close and
	// the held connections' accepts may come late on a loaded machine.
	// So each listener is asked again (up to 3 s) until both daemons show
	// the settled count -- the asking connection, plus the two held on
	// the first listener in the second step -- and then compared.
	for _, step := range []struct {
		name string
		want [2]string // dst_conn settled, per listener
	}{{"alone", [2]string{"1", "1"}}, {"two idle on the first listener", [2]string{"3", "1"}}} {
		if step.name != "alone" {
			hold(haA)
			hold(goA)
		}
		for i, pair := range [][2]string{{haA, goA}, {haB, goB}} {
			settled := "x-c: " + step.want[i] + " "
			var want, got string
			for deadline := time.Now().Add(3 * time.Second); ; {
				want, got = ask(pair[0]), ask(pair[1])
				if strings.Contains(want, settled) && strings.Contains(got, settled) || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if want != got {
				t.Errorf("%s, listener %d: haproxy %q, goha %q", step.name, i+1, want, got)
			} else if !strings.Contains(want, settled) {
				t.Errorf("%s, listener %d: both answer %q after 3 s, the test expects dst_conn %s", step.name, i+1, want, step.want[i])
			}
			if testing.Verbose() {
				t.Logf("%s, listener %d: %s", step.name, i+1, want)
			}
		}
	}
}
