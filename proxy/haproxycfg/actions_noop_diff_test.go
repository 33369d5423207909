package haproxycfg

import (
	"fmt"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestNoOpActionsDifferential: wait-for-handshake and disable-l7-retry
// change nothing goha can do: a served request and a dead server's 503
// after its connection-failure retries (retries counted in the log) are
// the same as HAProxy 2.6's.
func TestNoOpActionsDifferential(t *testing.T) {
	w := webs3(t)
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    retries 2
    timeout connect 100ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    http-request wait-for-handshake
    http-request disable-l7-retry if { path /dead }
    use_backend dead if { path /dead }
    default_backend web
backend web
    server w1 ` + w[0] + `
backend dead
    server d1 ` + loopback.FreeAddr(t) + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /dead HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 2*time.Second)
		sameLoggedLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 1)
	}
}
