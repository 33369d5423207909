package haproxycfg

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestNoLingerTLSDifferential: option nolinger on a TLS frontend beside
// HAProxy 2.6: a kept-alive connection gets its close_notify (the end
// the client's TLS reads) whether the client sent its FIN or the
// keep-alive timeout struck, then the reset (the socket is gone, not in
// CLOSE_WAIT as without the option). The log lines are compared too.
func TestNoLingerTLSDifferential(t *testing.T) {
	pki := newTestPKI(t)
	web := loopback.StartWeb(t, "web")
	for _, opt := range []string{"    option nolinger\n", ""} {
		cfg := httpLogHead2s + `    timeout http-keep-alive 300ms
frontend fe
    bind BIND ssl crt ` + pki.Dir + `/a.pem
` + opt + `    default_backend be
backend be
    server s1 ` + web.Addr + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		dropStartLines(haLog, goLog)
		for _, sc := range []string{"client-fin", "keep-alive"} {
			var got [2]string
			got[0], got[1] = bothAtOnce(ha, goha, func(addr string) string { return noLingerTLSClient(t, addr, sc) })
			t.Logf("%q %s: %s", opt, sc, got[0])
			if got[0] != got[1] {
				t.Errorf("%q %s: the client saw\nhaproxy %q\ngoha    %q", opt, sc, got[0], got[1])
			}
			sameLoggedLines(t, fmt.Sprintf("%q %s", opt, sc), haLog, goLog, 0)
		}
	}
}

// noLingerTLSClient makes one request over TLS, then (client-fin) sends
// its FIN without a close_notify, and says how the connection ended.
func noLingerTLSClient(t *testing.T, addr, sc string) string {
	raw := dialClient(t, addr, 3*time.Second)
	if raw == nil {
		return ""
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(c)
	status, _ := r.ReadString('\n')
	readPast(r, "web\n")
	if sc == "client-fin" {
		raw.(*net.TCPConn).CloseWrite()
	}
	_, err := io.Copy(io.Discard, r)
	return strings.TrimSpace(status) + ", " + endOf(err) + ", " + tcpStateAfter(raw)
}
