package haproxycfg

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestNoLingerBackendDifferential: option nolinger on a tcp backend,
// beside HAProxy 2.6. When the client ends its side, the server gets a
// reset, not a FIN, and its answer is dropped (the client then gets a
// FIN); a client that closed after reading resets the server the same
// way; a server closing first still sends its bytes and a FIN to the
// client. What each side sees and the log lines are compared.
func TestNoLingerBackendDifferential(t *testing.T) {
	t.Parallel()
	var scenario atomic.Value
	scenario.Store("")
	seen := make(chan string, 8)
	// the server says when the ping came: the client ends its side only
	// then, with the proxy's server connection established (a FIN HAProxy
	// reads while its connection to the server is still being set up,
	// with the ping already passed on, aborts that attempt: Tc -1)
	pinged := make(chan struct{}, 2)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		switch scenario.Load() {
		case "half-close":
			// read to the end, then answer late
			if _, err := io.ReadFull(c, make([]byte, 4)); err == nil {
				pinged <- struct{}{}
			}
			_, err := io.ReadAll(c)
			time.Sleep(200 * time.Millisecond)
			c.Write([]byte("pong"))
			seen <- endOf(err)
		case "server-first":
			c.Write([]byte("hello"))
		case "client-first":
			c.Write([]byte("hello"))
			_, err := c.Read(make([]byte, 16))
			seen <- endOf(err)
		}
	})
	cfg := tcpLogHead + `frontend fe
    bind BIND
    default_backend be
backend be
    option nolinger
    server s1 ` + server + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	dropStartLines(haLog, goLog)
	for _, sc := range []string{"half-close", "server-first", "client-first"} {
		scenario.Store(sc)
		// one client after the other: each waits for its own ping
		var got [2]string
		for i, addr := range []string{ha, goha} {
			got[i] = noLingerClient(t, addr, sc, pinged)
		}
		var servers []string
		if sc != "server-first" {
			servers = serverEnds(seen, 2, 2*time.Second)
		}
		t.Logf("%s: client %q, servers %v", sc, got[0], servers)
		if got[0] != got[1] {
			t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", sc, got[0], got[1])
		}
		if len(servers) == 2 && (servers[0] != servers[1] || servers[0] != "reset") {
			t.Errorf("%s: the servers saw %v, want a reset from both", sc, servers)
		}
		sameLoggedLines(t, sc, haLog, goLog, 0)
	}
}

// noLingerClient plays a scenario's client and says what it got and how
// its connection ended. In half-close it ends its side once the server
// has the ping.
func noLingerClient(t *testing.T, addr, sc string, pinged <-chan struct{}) string {
	c := dialClient(t, addr, 2*time.Second)
	if c == nil {
		return ""
	}
	defer c.Close()
	switch sc {
	case "half-close":
		c.Write([]byte("ping"))
		select {
		case <-pinged:
		case <-time.After(2 * time.Second):
			t.Errorf("%s: the server never got the ping", addr)
		}
		c.(*net.TCPConn).CloseWrite()
	case "client-first":
		b := make([]byte, 5)
		_, err := io.ReadFull(c, b)
		return string(b) + " then closed (" + endOf(err) + ")"
	}
	b, err := io.ReadAll(c)
	return string(b) + " then " + endOf(err)
}
