// Package loopback holds the helpers tests use to serve and find ports on
// 127.0.0.1: a free address, a TCP listener or UDP socket closed with the
// test, a per-connection server and the seed's web backend, and the client
// side of those: wait until an address accepts, GET a page. It binds
// loopback addresses only (the project's network-safety rule for the root
// namespace) and ties every listener and server to the test's cleanup.
package loopback

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FreeAddr returns a "127.0.0.1:port" that was free a moment ago. Nothing
// listens on it when FreeAddr returns, so it also serves as a dead address
// (a connect there is refused) until something else takes the port.
//
// The kernel may hand a port it just released out again, so two calls in
// a row could return the same address; the daemons bind with SO_REUSEPORT,
// so two binds on it would both succeed and split the traffic. FreeAddr
// never returns a port it returned before in this process, nor one that
// another test process on the machine holds (reserve) while that test runs.
func FreeAddr(t testing.TB) string {
	t.Helper()
	for i := 0; ; i++ {
		ln, err := listenFree()
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		givenMu.Lock()
		seen := given[addr]
		given[addr] = true
		givenMu.Unlock()
		if i == 100 || (!seen && reserve(t, addr)) {
			return addr
		}
	}
}

// listenFree listens on a free port below the kernel's ephemeral range
// when that range leaves room: a port from the range could be taken,
// between FreeAddr and the daemon's bind, by the source port of any
// outgoing connection of the tests running beside (EADDRINUSE).
func listenFree() (net.Listener, error) {
	lo, hi := freeRange()
	for try := 0; hi > lo && try < 50; try++ {
		port := lo + rand.IntN(hi-lo)
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			return ln, nil
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// freeRange is [lo, hi): the ports from 20000 up to the ephemeral range,
// or an empty range when the ephemeral range starts lower.
func freeRange() (lo, hi int) {
	hi = 32768 // Linux's default ephemeral start
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				hi = n
			}
		}
	}
	return 20000, hi
}

var (
	givenMu sync.Mutex
	given   = map[string]bool{} // addresses FreeAddr returned
)

// FreePort is FreeAddr's port.
func FreePort(t testing.TB) int {
	t.Helper()
	ap, err := net.ResolveTCPAddr("tcp", FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	return ap.Port
}

// Listen listens on a free 127.0.0.1 port; the listener closes when the
// test ends.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// ListenUDP opens a UDP socket on a free 127.0.0.1 port, closed when the
// test ends: a syslog target, whose LocalAddr goes in a `log ADDR` line.
func ListenUDP(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ServeEach hands each connection ln accepts to handle, on its own
// goroutine, closing it when handle returns; ln closes when the test ends.
// It returns ln's address.
func ServeEach(t testing.TB, ln net.Listener, handle func(net.Conn)) string {
	t.Helper()
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// Web is one of the seed's nginx virtual servers on loopback.
type Web struct {
	Addr   string
	Server *http.Server
}

// seenHeaders are the request headers a Web reports back, each as
// X-Seen-<name> with its values joined by "|", so a differential test sees
// what the proxy forwarded in the response it compares.
var seenHeaders = []struct{ header, as string }{
	{"X-Forwarded-For", "X-Seen-XFF"},
	{"Connection", "X-Seen-Connection"},
	{"X-Goha", "X-Seen-X-Goha"},
	{"X-Tag", "X-Seen-X-Tag"},
	{"X-Remove", "X-Seen-X-Remove"},
}

// StartWeb starts a Web that answers every request with its name and a
// newline, reports the forwarded headers (seenHeaders) and the path
// (X-Seen-Path), and sends a fixed Date so answers compare byte for byte.
// It stops when the test ends.
func StartWeb(t testing.TB, name string) *Web {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &Web{Addr: ln.Addr().String(), Server: &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		for _, h := range seenHeaders {
			rw.Header().Set(h.as, strings.Join(r.Header.Values(h.header), "|"))
		}
		rw.Header().Set("X-Seen-Path", r.URL.Path)
		rw.Header().Set("Date", "fixed")
		io.WriteString(rw, name+"\n")
	})}}
	go w.Server.Serve(ln)
	t.Cleanup(w.Close)
	return w
}

// Close stops the server (and its connections) now.
func (w *Web) Close() { w.Server.Close() }

// DeadAddr returns a loopback address nothing listens on (a connect there
// is refused): a server that is down.
func DeadAddr(t testing.TB) string {
	t.Helper()
	return FreeAddr(t)
}

// WaitListen returns once something accepts a connection on addr (the
// connection is closed at once), or fails t after about 3 s: a proxy
// started by the test binds its frontends some time after it starts.
func WaitListen(t testing.TB, addr string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

// Get fetches http://addr/ on a new connection and returns the status code
// and the body without its surrounding white space, "200 server1" for a
// Web reached through a proxy; an error fails t.
func Get(t testing.TB, addr string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
}
