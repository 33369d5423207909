package haproxycfg

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"golang.org/x/sys/unix"
)

// bindSock is what getsockopt says of a listening socket and of one
// connection it accepted: the family, IPV6_V6ONLY (-1 on an IPv4 socket),
// TCP_DEFER_ACCEPT, TCP_USER_TIMEOUT (listener and accepted socket) and
// SO_BINDTODEVICE.
type bindSock struct {
	Domain, V6Only, DeferAccept, UserTimeout, AcceptedUT int
	Device                                               string
}

func readBindSock(t *testing.T, prefix []string, local string) (bindSock, bool) {
	var s bindSock
	ok := loopback.WithSocket(t, prefix, local, "", func(fd int) {
		get := func(level, opt int) int {
			v, err := unix.GetsockoptInt(fd, level, opt)
			if err != nil {
				return -1
			}
			return v
		}
		s.Domain = get(unix.SOL_SOCKET, unix.SO_DOMAIN)
		s.V6Only = get(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
		s.DeferAccept = get(unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT)
		s.UserTimeout = get(unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
		s.Device, _ = unix.GetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE)
	})
	return s, ok
}

// acceptedUT reads TCP_USER_TIMEOUT of the proxy's socket local -> peer.
func acceptedUT(t *testing.T, local, peer string) int {
	ut := -2
	for deadline := time.Now().Add(2 * time.Second); ut == -2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		loopback.WithSocket(t, nil, local, peer, func(fd int) {
			ut, _ = unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
		})
	}
	if ut == -2 {
		t.Fatalf("no accepted socket %s -> %s", local, peer)
	}
	return ut
}

// TestBindSocketOptionsDifferential: the bind options that set socket
// options (v4v6, v6only, defer-accept, tcp-ut, interface), on 127.0.0.1
// and ::1, beside HAProxy 2.6: getsockopt on each daemon's listening
// socket and on the socket it accepted for one TCP session (HAProxy's
// through pidfd_getfd). Wildcard binds are in TestBindNamespaceDifferential.
func TestBindSocketOptionsDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ss")
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { io.Copy(io.Discard, c) })
	const head = "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    default_backend be\n"
	cases := []struct {
		name, host, opts string
	}{
		{"ipv4", "127.0.0.1", ""},
		{"defer-accept", "127.0.0.1", "defer-accept"},
		{"tcp-ut", "127.0.0.1", "tcp-ut 2500"},
		{"tcp-ut with a unit", "127.0.0.1", "tcp-ut 3s"},
		{"tcp-ut in microseconds", "127.0.0.1", "tcp-ut 2001us"},
		{"interface lo", "127.0.0.1", "interface lo"},
		{"v4v6 on ipv4", "127.0.0.1", "v4v6"},
		// The kernel sets IPV6_V6ONLY on a socket bound to an IPv6
		// address other than :: (inet6_bind): the wildcard cases are
		// in TestBindNamespaceDifferential.
		{"ipv6", "::1", ""},
		{"ipv6 v6only", "::1", "v6only"},
		{"ipv6 v4v6", "::1", "v4v6"},
		{"ipv6 v6only beats v4v6", "::1", "v6only v4v6"},
		{"ipv6 all", "::1", "v4v6 defer-accept tcp-ut 1234 interface lo"},
	}
	// One frontend per daemon with every case as a bind line.
	var addrs [2][]string
	var cfgs [2]string
	for i := range cfgs {
		cfgs[i] = head
		for _, tc := range cases {
			a := net.JoinHostPort(tc.host, strconv.Itoa(loopback.FreePort(t)))
			addrs[i] = append(addrs[i], a)
			cfgs[i] += "    bind " + a + " " + tc.opts + "\n"
		}
		cfgs[i] += "backend be\n    server s1 " + srv + "\n"
	}
	requireRuns(t, cfgs[1])
	difftest.StartHAProxy(t, cfgs[0], addrs[0][0])
	runPlan(t, cfgs[1])
	for k, tc := range cases {
		var got [2]bindSock
		for i := range got {
			addr := addrs[i][k]
			s, ok := readBindSock(t, nil, addr)
			if !ok {
				t.Fatalf("%s: nothing listens on %s", tc.name, addr)
			}
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			conn.Write([]byte("x")) // defer-accept: accepted once data came
			s.AcceptedUT = acceptedUT(t, addr, conn.LocalAddr().String())
			conn.Close()
			got[i] = s
		}
		if got[0] != got[1] {
			t.Errorf("%s: haproxy %+v, goha %+v", tc.name, got[0], got[1])
		}
		t.Logf("%s: %+v", tc.name, got[0])
	}
}

// TestBindMaxconnDifferential: `bind ... maxconn 2` beside HAProxy 2.6.
// Of four clients holding their sessions, two reach the server and the
// others wait in the listener's backlog (connected, not refused); when one
// leaves, the next one is served. The frontend's other listener, without
// a limit, serves at once.
func TestBindMaxconnDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	got := make(chan string, 32)
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		b := make([]byte, 2)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		got <- string(b)
		io.Copy(io.Discard, c)
	})
	for _, side := range []string{"haproxy", "goha"} {
		limited, other := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
			"frontend fe\n    bind " + limited + " maxconn 2\n    bind " + other + "\n    default_backend be\n" +
			"backend be\n    server s1 " + srv + "\n"
		requireRuns(t, cfg)
		if side == "haproxy" {
			difftest.StartHAProxy(t, cfg, limited)
		} else {
			runPlan(t, cfg)
		}
		// StartHAProxy's probe took a slot for a moment: let it go.
		time.Sleep(100 * time.Millisecond)
		served := func(want int) []string {
			var seen []string
			timeout := time.After(400 * time.Millisecond)
			for len(seen) < want+1 {
				select {
				case s := <-got:
					seen = append(seen, s)
				case <-timeout:
					return seen
				}
			}
			return seen
		}
		var conns []net.Conn
		for i := 0; i < 4; i++ {
			c, err := net.Dial("tcp", limited)
			if err != nil {
				t.Fatalf("%s: client %d refused: %v", side, i, err)
			}
			defer c.Close()
			fmt.Fprintf(c, "c%d", i)
			conns = append(conns, c)
		}
		if s := served(2); len(s) != 2 {
			t.Errorf("%s: with maxconn 2, the server got %v", side, s)
		}
		c, err := net.Dial("tcp", other)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("o0"))
		if s := served(1); len(s) != 1 || s[0] != "o0" {
			t.Errorf("%s: the other listener's client: server got %v", side, s)
		}
		conns[0].Close()
		if s := served(1); len(s) != 1 {
			t.Errorf("%s: after one left, the server got %v (want one more)", side, s)
		}
		for _, c := range conns {
			c.Close()
		}
		c.Close()
		served(8) // drain what the backlog still had
	}
}
