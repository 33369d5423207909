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
	cfg := "defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
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
	for _, step := range []string{"alone", "two idle on the first listener"} {
		if step != "alone" {
			hold(haA)
			hold(goA)
			time.Sleep(200 * time.Millisecond) // both daemons accept them
		}
		for i, pair := range [][2]string{{haA, goA}, {haB, goB}} {
			want, got := ask(pair[0]), ask(pair[1])
			if want != got {
				t.Errorf("%s, listener %d: haproxy %q, goha %q", step, i+1, want, got)
			}
			if testing.Verbose() {
				t.Logf("%s, listener %d: %s", step, i+1, want)
			}
		}
	}
}
