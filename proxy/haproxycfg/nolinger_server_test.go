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

// noLingerServer is the server of the tcp and TLS nolinger differential
// tests: it plays the scenario stored last on each connection and says
// on seen how its side ended. pinged says a client-fin scenario's
// server has the ping: the client sends its FIN only then, since a FIN
// HAProxy reads while its server connection is still being set up makes
// it abandon the attempt (Tc -1 in its log, back_handle_st_con), which
// depends on its scheduling.
type noLingerServer struct {
	addr     string
	scenario atomic.Value
	seen     chan string
	pinged   chan struct{}
}

// noLingerHead is the nolinger tests' head: mode tcp, tcplog to the test
// (LOG), with retries and the client and server timeouts given.
func noLingerHead(retries, client, server string) string {
	return `global
    log LOG local0
defaults
    mode tcp
    log global
    option tcplog
    retries ` + retries + `
    timeout connect 2s
    timeout client ` + client + `
    timeout server ` + server + "\n"
}

func startNoLingerServer(t *testing.T) *noLingerServer {
	s := &noLingerServer{seen: make(chan string, 8), pinged: make(chan struct{}, 1)}
	s.scenario.Store("")
	s.addr = loopback.ServeEach(t, loopback.Listen(t), s.play)
	return s
}

func (s *noLingerServer) play(c net.Conn) {
	c.SetDeadline(time.Now().Add(3 * time.Second))
	switch sc := s.scenario.Load(); sc {
	case "client-fin", "client-fin-joint":
		_, err := io.ReadFull(c, make([]byte, 4))
		s.pinged <- struct{}{}
		if err == nil {
			_, err = io.ReadAll(c)
		}
		time.Sleep(150 * time.Millisecond)
		if sc == "client-fin" {
			// the answer, then the FIN apart
			c.Write([]byte("pong"))
			time.Sleep(100 * time.Millisecond)
		} else {
			// the answer and the FIN in one segment
			if raw, e := c.(*net.TCPConn).SyscallConn(); e == nil {
				raw.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK, 1) })
			}
			c.Write([]byte("pong"))
			c.(*net.TCPConn).CloseWrite()
		}
		s.seen <- endOf(err)
	case "client-close":
		c.Write([]byte("hello"))
		_, err := c.Read(make([]byte, 16))
		s.seen <- endOf(err)
	case "server-fin":
		c.Write([]byte("hello"))
		c.(*net.TCPConn).CloseWrite()
		b, err := io.ReadAll(c)
		s.seen <- string(b) + " then " + endOf(err)
	case "timeout-client", "timeout-server":
		b, err := io.ReadAll(c)
		s.seen <- string(b) + " then " + endOf(err)
	}
}

// compare starts both sides on cfg, plays scenario sc with client on
// each (one side after the other in the client-fin scenarios: pinged is
// the one server's), and compares what the clients saw, what the server
// saw (but for a refused one) and the log lines. It returns what
// HAProxy's client saw.
func (s *noLingerServer) compare(t *testing.T, name, cfg, sc string, client func(addr string) string) string {
	t.Helper()
	s.scenario.Store("")
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	dropStartLines(haLog, goLog)
	s.scenario.Store(sc)
	var got [2]string
	var wg sync.WaitGroup
	for i, addr := range []string{ha, goha} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = client(addr)
		}()
		if strings.HasPrefix(sc, "client-fin") {
			wg.Wait()
		}
	}
	wg.Wait()
	var servers []string
	if sc != "refused" {
		servers = serverEnds(s.seen, 2, 3*time.Second)
	}
	t.Logf("%s: client %q, servers %q", name, got[0], servers)
	if got[0] != got[1] {
		t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", name, got[0], got[1])
	}
	if len(servers) == 2 && servers[0] != servers[1] {
		t.Errorf("%s: the servers saw %q", name, servers)
	}
	sameLoggedLines(t, name, haLog, goLog, 0)
	return got[0]
}

// awaitPing waits (3 s at most) for the client-fin scenario's server to
// have the ping.
func (s *noLingerServer) awaitPing(t *testing.T, addr string) {
	select {
	case <-s.pinged:
	case <-time.After(3 * time.Second):
		t.Errorf("%s: the server did not get the ping in 3 s", addr)
	}
}
