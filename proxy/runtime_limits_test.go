package proxy

import (
	"bufio"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// holdRequest sends a keep-alive request and reads the status line; the
// connection stays open (nil when no answer came in time).
func holdRequest(t *testing.T, addr string, wait time.Duration) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(wait))
	if l, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(l, "HTTP/1.1 200") {
		c.Close()
		return nil
	}
	c.SetReadDeadline(time.Time{})
	return c
}

// `set maxconn global` and `set server ... addr` take effect on the
// running proxy: at a global maxconn of 1 a second client waits while the
// first stays; a new address gets the next requests.
func TestRuntimeLimitsAndAddr(t *testing.T) {
	a, b := textBackend(t, "A"), textBackend(t, "B")
	cfg := seedConfig(a.addr)
	cfg.Frontends[0].ConnMode = KeepAlive
	cfg.Backends[0].ConnMode = KeepAlive
	p, addr := startProxy(t, cfg)
	p.SetGlobalMaxconn(1)
	if p.GlobalMaxconn() != 1 {
		t.Fatalf("GlobalMaxconn %d", p.GlobalMaxconn())
	}
	first := holdRequest(t, addr, 2*time.Second)
	if first == nil {
		t.Fatal("first client not served")
	}
	if c := holdRequest(t, addr, 300*time.Millisecond); c != nil {
		c.Close()
		t.Fatal("a second client was served beyond the global maxconn 1")
	}
	first.Close()
	p.SetGlobalMaxconn(100)
	ap, _ := netip.ParseAddrPort(b.addr)
	if err := p.SetServerAddr("servers", "web1", ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", time.Second)
	if !strings.HasSuffix(got, "B") {
		t.Errorf("after SetServerAddr: %q, want backend B's answer", got)
	}
	if st := p.Backends()[0].Servers[0]; st.Addr != ap.Addr().String()+":"+strconv.Itoa(int(ap.Port())) {
		t.Errorf("Backends reports %s", st.Addr)
	}
	if err := p.SetServerAddr("servers", "nosuch", ap.Addr(), 1); err == nil {
		t.Error("an unknown server was moved")
	}
}

// A server connection that was in use while `set server ... addr` moved
// the server is not pooled when it comes back: later requests must not
// reach the old address through it.
func TestSetServerAddrDropsConnectionsInUse(t *testing.T) {
	a, b := textBackend(t, "A"), textBackend(t, "B")
	p, _ := startProxy(t, seedConfig(a.addr))
	srv := p.findServer("servers", "web1")
	c, err := srv.dial(time.Second, nil, "", clientAddrs{})
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := netip.ParseAddrPort(b.addr)
	if err := p.SetServerAddr("servers", "web1", ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	srv.putIdle(c, time.Now())
	if n := srv.idleCount(); n != 0 {
		t.Errorf("a connection to the old address was pooled (%d idle)", n)
	}
	fresh, err := srv.dial(time.Second, nil, "", clientAddrs{})
	if err != nil {
		t.Fatal(err)
	}
	srv.putIdle(fresh, time.Now())
	if n := srv.idleCount(); n != 1 {
		t.Errorf("a connection to the new address was not pooled (%d idle)", n)
	}
	srv.closeIdle()
}
