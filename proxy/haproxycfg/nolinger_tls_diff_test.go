package haproxycfg

import (
	"crypto/tls"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// recordTap notes the TLS records a client reads off the wire: an alert
// record (content type 21, visible in TLS 1.2) is the peer's
// close_notify here.
type recordTap struct {
	net.Conn
	buf    []byte
	alerts int
}

func (r *recordTap) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.buf = append(r.buf, p[:n]...)
	for len(r.buf) >= 5 {
		l := int(r.buf[3])<<8 | int(r.buf[4])
		if len(r.buf) < 5+l {
			break
		}
		if r.buf[0] == 21 {
			r.alerts++
		}
		r.buf = r.buf[5+l:]
	}
	return n, err
}

// TestNoLingerTLSFrontendDifferential: option nolinger on a tcp frontend
// with an ssl bind, beside HAProxy 2.6.12 (TLS 1.2, where the alerts show
// on the wire): the client's close_notify and FIN first, the client's
// close after reading, the server's FIN first, the client's timeout, a
// refused server. What the client saw (data, the proxy's close_notify,
// how TCP ended, the socket's state) and the server saw, and the tcplog
// lines are compared.
func TestNoLingerTLSFrontendDifferential(t *testing.T) {
	pki := newTestPKI(t)
	var scenario atomic.Value
	scenario.Store("")
	seen := make(chan string, 8)
	pinged := make(chan struct{}, 1)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		switch scenario.Load() {
		case "client-fin":
			_, err := io.ReadFull(c, make([]byte, 4))
			pinged <- struct{}{}
			if err == nil {
				_, err = io.ReadAll(c)
			}
			time.Sleep(150 * time.Millisecond)
			c.Write([]byte("pong"))
			time.Sleep(100 * time.Millisecond)
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
		case "timeout-client":
			b, err := io.ReadAll(c)
			seen <- string(b) + " then " + endOf(err)
		}
	})
	dead := loopback.FreeAddr(t)
	for _, sc := range []string{"client-fin", "client-close", "server-fin", "timeout-client", "refused"} {
		client, srv, retries := "3s", server, "0"
		switch sc {
		case "timeout-client":
			client = "300ms"
		case "refused":
			srv, retries = dead, "1"
		}
		cfg := `global
    log LOG local0
defaults
    mode tcp
    log global
    option tcplog
    retries ` + retries + `
    timeout connect 2s
    timeout client ` + client + `
    timeout server 3s
frontend fe
    bind BIND ssl crt ` + pki.Dir + `/a.pem
    option nolinger
    default_backend be
backend be
    server s1 ` + srv + "\n"
		scenario.Store("")
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		drainLines(haLog, 200*time.Millisecond)
		drainLines(goLog, 50*time.Millisecond)
		scenario.Store(sc)
		var got [2]string
		var wg sync.WaitGroup
		for i, addr := range []string{ha, goha} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = noLingerTLSClient(t, addr, sc, pinged)
			}()
			wg.Wait() // one at a time: pinged is the one server's
		}
		var servers []string
		if sc != "refused" {
			for range 2 {
				select {
				case s := <-seen:
					servers = append(servers, s)
				case <-time.After(3 * time.Second):
					servers = append(servers, "nothing")
				}
			}
		}
		sort.Strings(servers)
		t.Logf("%s: client %q, servers %q", sc, got[0], servers)
		if got[0] != got[1] {
			t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", sc, got[0], got[1])
		}
		if len(servers) == 2 && servers[0] != servers[1] {
			t.Errorf("%s: the servers saw %q", sc, servers)
		}
		w, g := drainLines(haLog, 300*time.Millisecond), drainLines(goLog, 50*time.Millisecond)
		if strings.Join(w, "\n") != strings.Join(g, "\n") || len(w) == 0 {
			t.Errorf("%s: log\nhaproxy %q\ngoha    %q", sc, w, g)
		}
	}
}

// noLingerTLSClient plays a scenario's TLS 1.2 client and says what it
// got, whether the proxy's close_notify came, how the read ended and the
// socket's state then.
func noLingerTLSClient(t *testing.T, addr, sc string, pinged <-chan struct{}) string {
	raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(3 * time.Second))
	tap := &recordTap{Conn: raw}
	c := tls.Client(tap, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err := c.Handshake(); err != nil {
		return "handshake: " + err.Error()
	}
	switch sc {
	case "client-fin":
		c.Write([]byte("ping"))
		select {
		case <-pinged:
		case <-time.After(3 * time.Second):
			t.Errorf("%s: the server did not get the ping in 3 s", addr)
		}
		c.CloseWrite() // close_notify
		raw.(*net.TCPConn).CloseWrite()
	case "client-close":
		b := make([]byte, 5)
		_, err := io.ReadFull(c, b)
		c.Close()
		return string(b) + " then closed (" + endOf(err) + ")"
	}
	b, err := io.ReadAll(c)
	notify := "no close_notify"
	if tap.alerts > 0 {
		notify = "close_notify"
		// crypto/tls stops at the alert: how TCP ended is read below it
		_, err = io.ReadAll(raw)
	}
	state := tcpStateAfter(raw)
	return string(b) + " then " + notify + ", " + endOf(err) + ", " + state
}
