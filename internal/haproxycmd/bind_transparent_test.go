package haproxycmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/sys/unix"
)

// listenerTransparent reads IP_TRANSPARENT of the socket listening on
// addr, whichever of the test's processes holds it (loopback.WithSocket).
func listenerTransparent(t *testing.T, addr string) int {
	t.Helper()
	v := -1
	ok := loopback.WithSocket(t, nil, addr, "", func(fd int) {
		var err error
		if v, err = unix.GetsockoptInt(fd, unix.SOL_IP, unix.IP_TRANSPARENT); err != nil {
			t.Fatalf("getsockopt %s: %v", addr, err)
		}
	})
	if !ok {
		t.Fatalf("no socket listens on %s", addr)
	}
	return v
}

// bindTransparentRun starts bin with a frontend bound transparent on
// 127.0.0.2 and plainly on 127.0.0.3, and returns each listener's
// IP_TRANSPARENT and the answer through each.
func bindTransparentRun(t *testing.T, bin string) []string {
	web := recordPeers(t)
	port := loopback.FreePort(t)
	a2, a3 := fmt.Sprintf("127.0.0.2:%d", port), fmt.Sprintf("127.0.0.3:%d", port)
	startWithConfig(t, bin, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind %s transparent
    bind %s
    default_backend b
backend b
    server s %s
`, a2, a3, web.addr), a2, a3)
	var out []string
	for _, a := range []string{a2, a3} {
		out = append(out, fmt.Sprintf("%s IP_TRANSPARENT=%d %s", strings.Split(a, ":")[0], listenerTransparent(t, a),
			strings.Fields(loopback.Get(t, a))[0]))
	}
	return out
}

// TestBindTransparentMatchesHAProxy: `bind ... transparent` sets
// IP_TRANSPARENT on its listening socket, and only on its own (read with
// getsockopt on both daemons' sockets); both listeners serve. (What the
// option is for, connections TPROXY redirects to foreign addresses, needs
// netfilter's TPROXY target, which this host's kernel lacks.)
func TestBindTransparentMatchesHAProxy(t *testing.T) {
	testenv.Root(t) // IP_TRANSPARENT needs CAP_NET_ADMIN
	testenv.LookPath(t, "ss")
	hp := testenv.LookPath(t, "haproxy")
	want := bindTransparentRun(t, hp)
	got := bindTransparentRun(t, gohaproxy)
	diffLines(t, "listeners", want, got)
	if len(got) != 2 || !strings.Contains(got[0], "IP_TRANSPARENT=1") || !strings.Contains(got[1], "IP_TRANSPARENT=0") {
		t.Errorf("goha: %q", got)
	}
}
