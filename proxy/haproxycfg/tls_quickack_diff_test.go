package haproxycfg

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// TestTLSFirstRequestDelayDifferential: a TLS 1.3 client with Nagle on
// that writes a small request right after its handshake, through a tcp
// frontend with an ssl bind, beside HAProxy 2.6.12: the best time of
// three from the write to the server's echo is within 20 ms of
// HAProxy's. HAProxy's session tickets, sent after the client's
// Finished, carry its ACK; Go's go before it, and goha's delayed ACK
// held the request 40 ms behind the client's Nagle (measured: 1 ms
// against 41 ms) until it acked the handshake at once (tls.go quickAck).
func TestTLSFirstRequestDelayDifferential(t *testing.T) {
	pki := newTestPKI(t)
	cfg := `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND ssl crt ` + pki.Dir + `/a.pem
    default_backend be
backend be
    server s1 ` + echoOnceServer(t) + "\n"
	ha, goha := startBoth(t, cfg)
	var best [2]time.Duration
	for i, addr := range []string{ha, goha} {
		best[i] = time.Hour
		for range 3 {
			if d := nagleTLSEcho(t, addr); d > 0 && d < best[i] {
				best[i] = d
			}
		}
	}
	t.Logf("write to echo: haproxy %v, goha %v", best[0], best[1])
	if best[0] == time.Hour || best[1] > best[0]+20*time.Millisecond {
		t.Errorf("write to echo: haproxy %v, goha %v", best[0], best[1])
	}
}

// nagleTLSEcho is the time from a TLS 1.3 client's first write, right
// after its handshake, with Nagle on, to the echo it reads (0: failed).
func nagleTLSEcho(t *testing.T, addr string) time.Duration {
	raw := dialClient(t, addr, 3*time.Second)
	if raw == nil {
		return 0
	}
	defer raw.Close()
	raw.(*net.TCPConn).SetNoDelay(false)
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err := c.Handshake(); err != nil {
		t.Error(err)
		return 0
	}
	t0 := time.Now()
	c.Write([]byte("hi"))
	if n, err := c.Read(make([]byte, 16)); n == 0 {
		t.Error(err)
		return 0
	}
	return time.Since(t0)
}
