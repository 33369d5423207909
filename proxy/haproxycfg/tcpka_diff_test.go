package haproxycfg

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestTCPKeepAliveDifferential: option tcpka / clitcpka / srvtcpka and the
// {cli|srv}tcpka-{cnt|idle|intvl} tuning, in defaults, frontends, backends
// and a listen section, beside HAProxy 2.6: for one TCP session through
// each proxy, the keepalive options of the proxy's own client-side socket
// and server-side socket, read with getsockopt on the sockets themselves
// (found with ss -p; HAProxy's through pidfd_getfd, goha's in this
// process). HAProxy sets SO_KEEPALIVE only when asked, on the sides the
// options name, with only the values given.
func TestTCPKeepAliveDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "ss")
	ts := startTaggedServer(t)
	srv := ts.addr
	const head = "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n"
	cases := []struct{ name, cfg string }{
		{"none", head + "frontend fe\n    bind BIND\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"tcpka in defaults", head + "    option tcpka\nfrontend fe\n    bind BIND\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"clitcpka tuned", head + "frontend fe\n    bind BIND\n    option clitcpka\n    clitcpka-idle 30\n    clitcpka-intvl 5\n    clitcpka-cnt 3\n    default_backend be\n" +
			"backend be\n    srvtcpka-idle 44\n    server s1 SRV\n"},
		{"srvtcpka only, idle", head + "frontend fe\n    bind BIND\n    clitcpka-idle 30\n    default_backend be\nbackend be\n    option srvtcpka\n    srvtcpka-idle 20\n    server s1 SRV\n"},
		{"srvtcpka tuned, intvl", head + "frontend fe\n    bind BIND\n    default_backend be\nbackend be\n    option srvtcpka\n    srvtcpka-intvl 6\n    srvtcpka-cnt 2\n    server s1 SRV\n"},
		{"tcpka in a frontend", head + "frontend fe\n    bind BIND\n    option tcpka\n    default_backend be\nbackend be\n    server s1 SRV\n"},
		{"tcpka in a listen, defaults' tuning", head + "    clitcpka-intvl 7\n    srvtcpka-cnt 4\n    srvtcpka-idle 1500ms\n" +
			"listen li\n    bind BIND\n    option tcpka\n    server s1 SRV\n"},
		{"no option after defaults", head + "    option tcpka\nfrontend fe\n    bind BIND\n    no option clitcpka\n    default_backend be\nbackend be\n    no option srvtcpka\n    server s1 SRV\n"},
	}
	for _, tc := range cases {
		cfg := strings.ReplaceAll(tc.cfg, "SRV", srv)
		requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
		ha, goha := startBoth(t, cfg)
		var got [2][2]loopback.KeepAlive // [haproxy, goha][client side, server side]
		for i, addr := range []string{ha, goha} {
			c, peer := ts.through(t, tc.name, addr)
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

// socketKA reads the keepalive options of the established socket local ->
// peer, whichever process of the test holds it.
func socketKA(t *testing.T, local, peer string) loopback.KeepAlive {
	t.Helper()
	ka, ok := loopback.KeepAliveOf(t, 0, local, peer)
	if !ok {
		t.Fatalf("no established socket %s -> %s in ss's list", local, peer)
	}
	return ka
}

// taggedServer is a tcp server that records, for each connection, the
// first byte the client sent through a proxy and the proxy's address on
// the server's side, held until the proxy closes it.
type taggedServer struct {
	addr     string
	accepted chan taggedConn
	tag      byte
}

type taggedConn struct {
	b    byte
	peer string
}

func startTaggedServer(t *testing.T) *taggedServer {
	s := &taggedServer{accepted: make(chan taggedConn, 16), tag: 'a'}
	s.addr = loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		s.accepted <- taggedConn{b[0], c.RemoteAddr().String()}
		io.Copy(io.Discard, c)
	})
	return s
}

// through dials the proxy at addr, sends a new tag and returns the client
// connection (closed when the test ends) and the proxy's address on the
// server connection that tag came through.
func (s *taggedServer) through(t *testing.T, name, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s.tag++
	c.Write([]byte{s.tag})
	for {
		select {
		case a := <-s.accepted:
			if a.b == s.tag {
				return c, a.peer
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s: the server got no connection through %s", name, addr)
		}
	}
}
