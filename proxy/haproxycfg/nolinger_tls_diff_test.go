package haproxycfg

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
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
		cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 2s
    timeout server 2s
    timeout http-keep-alive 300ms
frontend fe
    bind BIND ssl crt ` + pki.Dir + `/a.pem
` + opt + `    default_backend be
backend be
    server s1 ` + web.Addr + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		drainLines(haLog, 200*time.Millisecond)
		drainLines(goLog, 50*time.Millisecond)
		for _, sc := range []string{"client-fin", "keep-alive"} {
			var got [2]string
			var wg sync.WaitGroup
			for i, addr := range []string{ha, goha} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = noLingerTLSClient(t, addr, sc)
				}()
			}
			wg.Wait()
			t.Logf("%q %s: %s", opt, sc, got[0])
			if got[0] != got[1] {
				t.Errorf("%q %s: the client saw\nhaproxy %q\ngoha    %q", opt, sc, got[0], got[1])
			}
			w, g := drainLines(haLog, 300*time.Millisecond), drainLines(goLog, 50*time.Millisecond)
			if strings.Join(w, "\n") != strings.Join(g, "\n") || len(w) == 0 {
				t.Errorf("%q %s: log\nhaproxy %q\ngoha    %q", opt, sc, w, g)
			}
		}
	}
}

// noLingerTLSClient makes one request over TLS, then (client-fin) sends
// its FIN without a close_notify, and says how the connection ended.
func noLingerTLSClient(t *testing.T, addr, sc string) string {
	raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(3 * time.Second))
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(c)
	status, _ := r.ReadString('\n')
	for {
		l, err := r.ReadString('\n')
		if err != nil || l == "web\n" {
			break
		}
	}
	if sc == "client-fin" {
		raw.(*net.TCPConn).CloseWrite()
	}
	_, err = io.Copy(io.Discard, r)
	return strings.TrimSpace(status) + ", " + endOf(err) + ", " + tcpStateAfter(raw)
}
