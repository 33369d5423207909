package haproxycfg

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestNoLingerTCPFrontendDifferential: option nolinger on a tcp frontend
// and on a listen (its backend side too), beside HAProxy 2.6.12, in each
// way a session ends: the client's FIN first (the server answers late,
// then closes), the client's close after reading, the server's FIN first,
// the client's and the server's timeouts, a refused server. Measured on
// the wire: a session ending on the client's FIN closes the client with a
// lone reset, where it would get a FIN, and the server's last bytes read
// with its FIN are dropped (sent in one segment here; apart, they are
// passed on before the reset); one the proxy ends while the
// client is still open (a timeout, a refused server) gets a FIN then a
// reset; a FIN passed on from the server leaves the client to close
// first, as without the option. On the listen the backend's option
// resets the server on the client's end, but passes a FIN on to a server
// that already sent its own. What the client and the server saw and
// the tcplog lines are compared.
func TestNoLingerTCPFrontendDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	server := startNoLingerServer(t)
	dead := loopback.FreeAddr(t)
	for _, px := range []string{
		"frontend fe\n    bind BIND\n    option nolinger\n    default_backend be\nbackend be\n    server s1 SRV\n",
		"listen li\n    bind BIND\n    option nolinger\n    server s1 SRV\n",
	} {
		for _, sc := range []string{"client-fin", "client-fin-joint", "client-close", "server-fin", "timeout-client", "timeout-server", "refused"} {
			client, srvTimeout, srv, retries := "3s", "3s", server.addr, "0"
			switch sc {
			case "timeout-client":
				client = "300ms"
			case "timeout-server":
				srvTimeout = "300ms"
			case "refused":
				// one retry: HAProxy waits a second before it, long
				// enough for the client's connect to complete first
				srv, retries = dead, "1"
			}
			cfg := noLingerHead(retries, client, srvTimeout) + strings.ReplaceAll(px, "SRV", srv)
			name := strings.Fields(px)[1] + " " + sc
			got := server.compare(t, name, cfg, sc, func(addr string) string { return noLingerTCPClient(t, addr, sc, server) })
			if strings.HasPrefix(sc, "client-fin") && !strings.Contains(got, "reset") {
				t.Errorf("%s: haproxy's client saw %q, want a reset", name, got)
			}
		}
	}
}

// noLingerTCPClient plays a tcp scenario's client (its FIN after the
// server got the ping, in the client-fin ones) and says what it got,
// how its read ended and the socket's state then.
func noLingerTCPClient(t *testing.T, addr, sc string, server *noLingerServer) string {
	c := dialClient(t, addr, 3*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	switch sc {
	case "client-fin", "client-fin-joint":
		c.Write([]byte("ping"))
		server.awaitPing(t, addr)
		c.(*net.TCPConn).CloseWrite()
	case "client-close":
		b := make([]byte, 5)
		_, err := io.ReadFull(c, b)
		c.Close()
		return string(b) + " then closed (" + endOf(err) + ")"
	}
	b, err := io.ReadAll(c)
	state := tcpStateAfter(c)
	if sc == "server-fin" {
		// the client's own data and FIN still reach the server
		c.Write([]byte("more"))
		c.(*net.TCPConn).CloseWrite()
		time.Sleep(100 * time.Millisecond)
	}
	return string(b) + " then " + endOf(err) + ", " + state
}
