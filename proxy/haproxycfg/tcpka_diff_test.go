package haproxycfg

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/internal/loopback"
)

// sockKA is what getsockopt says of one socket's keepalive: SO_KEEPALIVE
// and the probe values the kernel would use (TCP_KEEPIDLE, TCP_KEEPINTVL,
// TCP_KEEPCNT give the system's defaults where none was set).
type sockKA struct{ On, Idle, Intvl, Cnt int }

func (k sockKA) String() string {
	if k.On == 0 {
		return "off"
	}
	return fmt.Sprintf("on idle=%d intvl=%d cnt=%d", k.Idle, k.Intvl, k.Cnt)
}

// TestTCPKeepAliveDifferential: option tcpka / clitcpka / srvtcpka and the
// {cli|srv}tcpka-{cnt|idle|intvl} tuning, in defaults, frontends, backends
// and a listen section, beside HAProxy 2.6: for one TCP session through
// each proxy, the keepalive options of the proxy's own client-side socket
// and server-side socket, read with getsockopt on the sockets themselves
// (found with ss -p; HAProxy's through pidfd_getfd, goha's in this
// process). HAProxy sets SO_KEEPALIVE only when asked, on the sides the
// options name, with only the values given.
func TestTCPKeepAliveDifferential(t *testing.T) {
	testenvSS(t)
	type seen struct {
		b    byte
		peer string
	}
	accepted := make(chan seen, 16)
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		accepted <- seen{b[0], c.RemoteAddr().String()}
		io.Copy(io.Discard, c) // held until the proxy closes it
	})
	const head = "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n"
	cases := []struct{ name, cfg string }{
		{"none", head + "frontend fe\n    bind BIND\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"tcpka in defaults", head + "    option tcpka\nfrontend fe\n    bind BIND\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"clitcpka tuned", head + "frontend fe\n    bind BIND\n    option clitcpka\n    clitcpka-idle 30\n    clitcpka-intvl 5\n    clitcpka-cnt 3\n    default_backend be\n" +
			"backend be\n    srvtcpka-idle 44\n    server s1 SRV\n"},
		{"srvtcpka only, idle", head + "frontend fe\n    bind BIND\n    clitcpka-idle 30\n    default_backend be\nbackend be\n    option srvtcpka\n    srvtcpka-idle 20\n    server s1 SRV\n"},
		{"tcpka in a frontend", head + "frontend fe\n    bind BIND\n    option tcpka\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"tcpka in a listen, defaults' tuning", head + "    clitcpka-intvl 7\n    srvtcpka-cnt 4\n    srvtcpka-idle 1500ms\n" +
			"listen li\n    bind BIND\n    option tcpka\n    server s1 SRV\n"},
		{"no option after defaults", head + "    option tcpka\nfrontend fe\n    bind BIND\n    no option clitcpka\n    default_backend be\nbackend be\n    no option srvtcpka\n    server s1 SRV\n"},
	}
	var tag byte = 'a'
	for _, tc := range cases {
		cfg := strings.ReplaceAll(tc.cfg, "SRV", srv)
		requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
		ha, goha := startBoth(t, cfg)
		var got [2][2]sockKA // [haproxy, goha][client side, server side]
		for i, addr := range []string{ha, goha} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			tag++
			c.Write([]byte{tag})
			var peer string
			for peer == "" {
				select {
				case s := <-accepted:
					if s.b == tag {
						peer = s.peer
					}
				case <-time.After(3 * time.Second):
					t.Fatalf("%s: the server got no connection through %s", tc.name, addr)
				}
			}
			got[i][0] = socketKA(t, addr, c.LocalAddr().String())
			got[i][1] = socketKA(t, peer, srv)
		}
		for side, name := range []string{"client", "server"} {
			if got[0][side] != got[1][side] {
				t.Errorf("%s: %s socket: haproxy %v, goha %v", tc.name, name, got[0][side], got[1][side])
			}
		}
		t.Logf("%s: client %v, server %v", tc.name, got[0][0], got[0][1])
	}
}

// testenvSS skips (fails under CI) without ss.
func testenvSS(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ss"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ss (iproute2) is needed")
		}
		t.Skip("ss (iproute2) is not installed")
	}
}

// socketKA reads the keepalive options of the established socket local ->
// peer, whichever process of ours holds it.
func socketKA(t *testing.T, local, peer string) sockKA {
	t.Helper()
	out, err := exec.Command("ss", "-tnpH", "state", "established").Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[2] != local || f[3] != peer {
			continue
		}
		pid, fd := ssOwner(f[4])
		if pid == 0 {
			t.Fatalf("no owner in %q", line)
		}
		if pid != os.Getpid() {
			pidfd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				t.Fatalf("pidfd_open %d: %v", pid, err)
			}
			defer unix.Close(pidfd)
			if fd, err = unix.PidfdGetfd(pidfd, fd, 0); err != nil {
				t.Fatalf("pidfd_getfd %d: %v", pid, err)
			}
			defer unix.Close(fd)
		}
		get := func(level, opt int) int {
			v, err := unix.GetsockoptInt(fd, level, opt)
			if err != nil {
				t.Fatalf("getsockopt %s -> %s: %v", local, peer, err)
			}
			return v
		}
		if get(unix.SOL_SOCKET, unix.SO_KEEPALIVE) == 0 {
			// The probe values of a socket without keepalive are never
			// used (goha's still hold Go's accept defaults).
			return sockKA{}
		}
		return sockKA{1, get(unix.IPPROTO_TCP, unix.TCP_KEEPIDLE),
			get(unix.IPPROTO_TCP, unix.TCP_KEEPINTVL), get(unix.IPPROTO_TCP, unix.TCP_KEEPCNT)}
	}
	t.Fatalf("no established socket %s -> %s in ss's list", local, peer)
	return sockKA{}
}

// ssOwner reads users:(("name",pid=P,fd=F)) (the first holder).
func ssOwner(s string) (pid, fd int) {
	for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ')' || r == '(' }) {
		if v, ok := strings.CutPrefix(kv, "pid="); ok && pid == 0 {
			pid, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(kv, "fd="); ok && fd == 0 {
			fd, _ = strconv.Atoi(v)
		}
	}
	return pid, fd
}
