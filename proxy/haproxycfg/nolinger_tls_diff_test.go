package haproxycfg

import (
	"crypto/tls"
	"io"
	"net"
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
	t.Parallel()
	pki := newTestPKI(t)
	server := startNoLingerServer(t)
	dead := loopback.FreeAddr(t)
	for _, sc := range []string{"client-fin", "client-close", "server-fin", "timeout-client", "refused"} {
		client, srv, retries := "3s", server.addr, "0"
		switch sc {
		case "timeout-client":
			client = "300ms"
		case "refused":
			srv, retries = dead, "1"
		}
		cfg := noLingerHead(retries, client, "3s") + `frontend fe
    bind BIND ssl crt ` + pki.Dir + `/a.pem
    option nolinger
    default_backend be
backend be
    server s1 ` + srv + "\n"
		server.compare(t, sc, cfg, sc, func(addr string) string { return noLingerTLSClient(t, addr, sc, server) })
	}
}

// noLingerTLSClient plays a scenario's TLS 1.2 client and says what it
// got, whether the proxy's close_notify came, how the read ended and the
// socket's state then.
func noLingerTLSClient(t *testing.T, addr, sc string, server *noLingerServer) string {
	raw := dialClient(t, addr, 3*time.Second)
	if raw == nil {
		return ""
	}
	defer raw.Close()
	tap := &recordTap{Conn: raw}
	c := tls.Client(tap, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err := c.Handshake(); err != nil {
		return "handshake: " + err.Error()
	}
	switch sc {
	case "client-fin":
		c.Write([]byte("ping"))
		server.awaitPing(t, addr)
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
