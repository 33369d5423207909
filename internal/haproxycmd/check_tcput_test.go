package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/sys/unix"
)

// The server option `tcp-ut` on a server's health check and agent
// connections, beside HAProxy 2.6, which sets TCP_USER_TIMEOUT on every
// connection it makes to the server: getsockopt on each daemon's check
// socket (a tcp-check waiting for a reply that never comes) and agent
// socket (an agent that answers nothing), each daemon with its own
// listeners. A server line without tcp-ut: 0 on both.
func TestCheckTCPUserTimeoutMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ss")
	// listen is a listener whose connections' peers come on the channel,
	// held open without a byte sent
	listen := func() (string, chan string) {
		ch := make(chan string, 16)
		addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			ch <- c.RemoteAddr().String()
			c.SetDeadline(time.Now().Add(3 * time.Second))
			io.Copy(io.Discard, c)
		})
		return addr, ch
	}
	ut := func(local, peer string) int {
		v := -2
		for deadline := time.Now().Add(2 * time.Second); v == -2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			loopback.WithSocket(t, nil, local, peer, func(fd int) {
				v, _ = unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
			})
		}
		return v
	}
	var got [2][3]int // [haproxy, goha][check, agent, untuned check]
	for i, ha := range []bool{true, false} {
		chk, checks := listen()
		agent, agents := listen()
		plain, plains := listen()
		_, agentPort, _ := net.SplitHostPort(agent)
		backends := fmt.Sprintf("backend be\n    option tcp-check\n    tcp-check expect string OK\n"+
			"    server s1 %s check inter 1s tcp-ut 1234 agent-check agent-port %s agent-inter 1s\n"+
			"    server s2 %s check inter 1s\n", chk, agentPort, plain)
		serverOptsDaemon(t, ha, "", backends)
		for k, c := range []struct {
			addr string
			ch   chan string
		}{{chk, checks}, {agent, agents}, {plain, plains}} {
			select {
			case p := <-c.ch:
				got[i][k] = ut(p, c.addr)
			case <-time.After(4 * time.Second):
				t.Fatalf("haproxy %v: no connection to %s", ha, c.addr)
			}
		}
	}
	if got[0] != got[1] || got[0] != [3]int{1234, 1234, 0} {
		t.Errorf("TCP_USER_TIMEOUT [check, agent, untuned check]: haproxy %v, goha %v", got[0], got[1])
	}
}
