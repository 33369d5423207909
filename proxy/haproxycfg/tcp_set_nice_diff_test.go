package haproxycfg

import (
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestTCPContentSetNiceDifferential: `tcp-request content set-nice` is
// inert in goha (a warning at -c): HAProxy's nice factor only orders its
// tasks. Rules around it, before and after, run as on HAProxy 2.6.12 in a
// tcp frontend: the same bytes at the client, the same log lines.
func TestTCPContentSetNiceDifferential(t *testing.T) {
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 16)
		n, _ := c.Read(b)
		c.Write(append([]byte("echo:"), b[:n]...))
	})
	cfg := `global
    log LOG local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content set-nice -5 if { req.len gt 0 }
    tcp-request content reject if { req.payload(0,3) -m str REJ }
    tcp-request content set-nice 1024
    tcp-request content set-var(txn.n) str(nice)
    tcp-request content reject if { req.payload(0,3) -m str VAR } { var(txn.n) -m str nice }
    tcp-request content accept if { req.len gt 0 }
    default_backend be
backend be
    server s1 ` + server + `
`
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	for _, raw := range []string{"HELLO", "REJ!", "VAR!", "HELLO again"} {
		var got [2][]byte
		var ends [2]string
		for i, addr := range []string{ha, goha} {
			got[i], ends[i] = exchangeFrom(t, "", addr, raw, 300*time.Millisecond)
		}
		compareAnswers(t, raw, got[0], got[1], ends[0], ends[1])
		sameLogLines(t, raw, haLog, goLog, 1)
	}
}
