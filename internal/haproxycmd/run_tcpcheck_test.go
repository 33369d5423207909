package haproxycmd

import (
	"bufio"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// lineServer answers each connection's first line with reply and closes.
func lineServer(t *testing.T, reply string) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		bufio.NewReader(c).ReadString('\n')
		c.Write([]byte(reply))
	})
}

// tlsServer completes TLS handshakes with a throw-away certificate.
func tlsServer(t *testing.T) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{throwawayCert(t)}})
	if err != nil {
		t.Fatal(err)
	}
	return loopback.ServeEach(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.(*tls.Conn).Handshake()
	})
}

// TestTCPChecksShowStatMatchHAProxy runs haproxy and gohaproxy with the
// same tcp-check and protocol-check backends and compares what `show
// stat` says of each server once checked: status, check_status,
// check_code, last_chk and check_desc.
func TestTCPChecksShowStatMatchHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy") // skips locally, fails under CI=true
	pong, nope, tlsAddr := lineServer(t, "+PONG\r\n"), lineServer(t, "-ERR nope\r\n"), tlsServer(t)
	closed := loopback.DeadAddr(t)
	backends := []checkBackend{
		{"tcpok", "option tcp-check\n    tcp-check send \"PING\\r\\n\"\n    tcp-check expect string +PONG", pong + " check"},
		{"tcpbad", "option tcp-check\n    tcp-check send \"PING\\r\\n\"\n    tcp-check expect string +PONG", nope + " check"},
		{"tcprefused", "option tcp-check\n    tcp-check connect\n    tcp-check send x", closed + " check"},
		{"redisok", "option redis-check", pong + " check"},
		{"redisbad", "option redis-check", nope + " check"},
		{"sslok", "option ssl-hello-chk", tlsAddr + " check"},
		{"mysqldown", "option mysql-check user haproxy", closed + " check"},
	}
	// several checks each: every server settled
	sameCheckStats(t, haproxyBin, "    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n", backends, 700*time.Millisecond, true)
}
