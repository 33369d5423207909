package haproxycfg

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/sys/unix"
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
	var scenario atomic.Value
	scenario.Store("")
	seen := make(chan string, 8)
	// pinged says a client-fin scenario's server has the ping: the client
	// sends its FIN only then, since a FIN HAProxy reads while its server
	// connection is still being set up makes it abandon the attempt (Tc
	// -1 in its log, back_handle_st_con), which depends on its scheduling
	pinged := make(chan struct{}, 1)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		switch scenario.Load() {
		case "client-fin":
			// the answer, then the FIN apart
			_, err := io.ReadFull(c, make([]byte, 4))
			pinged <- struct{}{}
			if err == nil {
				_, err = io.ReadAll(c)
			}
			time.Sleep(150 * time.Millisecond)
			c.Write([]byte("pong"))
			time.Sleep(100 * time.Millisecond)
			seen <- endOf(err)
		case "client-fin-joint":
			// the answer and the FIN in one segment
			_, err := io.ReadFull(c, make([]byte, 4))
			pinged <- struct{}{}
			if err == nil {
				_, err = io.ReadAll(c)
			}
			time.Sleep(150 * time.Millisecond)
			if raw, e := c.(*net.TCPConn).SyscallConn(); e == nil {
				raw.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK, 1) })
			}
			c.Write([]byte("pong"))
			c.(*net.TCPConn).CloseWrite()
			seen <- endOf(err)
		case "client-close":
			c.Write([]byte("hello"))
			_, err := c.Read(make([]byte, 16))
			seen <- endOf(err)
		case "server-fin":
			c.Write([]byte("hello"))
			c.(*net.TCPConn).CloseWrite()
			b, err := io.ReadAll(c)
			seen <- string(b) + " then " + endOf(err)
		case "timeout-client", "timeout-server":
			b, err := io.ReadAll(c)
			seen <- string(b) + " then " + endOf(err)
		}
	})
	dead := loopback.FreeAddr(t)
	for _, px := range []string{
		"frontend fe\n    bind BIND\n    option nolinger\n    default_backend be\nbackend be\n    server s1 SRV\n",
		"listen li\n    bind BIND\n    option nolinger\n    server s1 SRV\n",
	} {
		for _, sc := range []string{"client-fin", "client-fin-joint", "client-close", "server-fin", "timeout-client", "timeout-server", "refused"} {
			client, srvTimeout, srv, retries := "3s", "3s", server, "0"
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
			cfg := `global
    log LOG local0
defaults
    mode tcp
    log global
    option tcplog
    retries RETRIES
    timeout connect 2s
    timeout client ` + client + `
    timeout server ` + srvTimeout + `
` + strings.ReplaceAll(px, "SRV", srv)
			cfg = strings.Replace(cfg, "RETRIES", retries, 1)
			scenario.Store("")
			ha, goha, haLog, goLog := startBothLogged(t, cfg)
			drainLines(haLog, 200*time.Millisecond) // the start probes
			drainLines(goLog, 50*time.Millisecond)
			scenario.Store(sc)
			var got [2]string
			var wg sync.WaitGroup
			for i, addr := range []string{ha, goha} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = noLingerTCPClient(t, addr, sc, pinged)
				}()
				if strings.HasPrefix(sc, "client-fin") {
					wg.Wait() // one at a time: pinged is the one server's
				}
			}
			wg.Wait()
			var servers []string
			if sc != "refused" {
				servers = serverEnds(seen, 2, 3*time.Second)
			}
			name := strings.Fields(px)[1] + " " + sc
			t.Logf("%s: client %q, servers %q", name, got[0], servers)
			if got[0] != got[1] {
				t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", name, got[0], got[1])
			}
			if strings.HasPrefix(sc, "client-fin") && !strings.Contains(got[0], "reset") {
				t.Errorf("%s: haproxy's client saw %q, want a reset", name, got[0])
			}
			if len(servers) == 2 && servers[0] != servers[1] {
				t.Errorf("%s: the servers saw %q", name, servers)
			}
			sameLoggedLines(t, name, haLog, goLog, 0)
		}
	}
}

// noLingerTCPClient plays a tcp scenario's client (its FIN after the
// server got the ping, in the client-fin ones) and says what it got,
// how its read ended and the socket's state then.
func noLingerTCPClient(t *testing.T, addr, sc string, pinged <-chan struct{}) string {
	c := dialClient(t, addr, 3*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	switch sc {
	case "client-fin", "client-fin-joint":
		c.Write([]byte("ping"))
		select {
		case <-pinged:
		case <-time.After(3 * time.Second):
			t.Errorf("%s: the server did not get the ping in 3 s", addr)
		}
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
