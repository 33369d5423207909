package haproxycmd

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestBcErrBesideHAProxy: bc_err and bc_err_str beside HAProxy 2.6, in
// log-format lines and an http-response rule: 0 and "Success" once the
// server connection is up (http and tcp mode), no value when the connect
// was refused or timed out or before a server was tried (a deny), and 34
// "SSL handshake failure" when an ssl server's handshake failed (the
// server closed, reset, or answered in clear text).
func TestBcErrBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	closer := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Read(make([]byte, 4096))
		c.Close()
	})
	resetter := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Read(make([]byte, 4096))
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	hang := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
	})
	dead := loopback.DeadAddr(t)
	paths := []string{"/ok", "/deny", "/refused", "/tls-close", "/tls-reset", "/tls-clear", "/tls-hang"}
	run := func(bin string) []string {
		logs := loopback.ListenUDP(t)
		fe, tcpfe := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := syslogHTTPHead(logs.LocalAddr()) + `    retries 0
    timeout connect 500ms
frontend fe
    bind ` + fe + `
    log-format "%ST %b bc=%[bc_err]:%[bc_err_str]"
    http-request deny if { path /deny }
    http-response set-header x-bc "%[bc_err]/%[bc_err_str]"
    use_backend refused if { path /refused }
    use_backend tls-close if { path /tls-close }
    use_backend tls-reset if { path /tls-reset }
    use_backend tls-clear if { path /tls-clear }
    use_backend tls-hang if { path /tls-hang }
    default_backend ok
backend ok
    server s ` + web + `
backend refused
    server s ` + dead + `
backend tls-close
    server s ` + closer + ` ssl verify none
backend tls-reset
    server s ` + resetter + ` ssl verify none
backend tls-clear
    server s ` + web + ` ssl verify none
backend tls-hang
    server s ` + hang + ` ssl verify none
listen tcp
    mode tcp
    bind ` + tcpfe + `
    log-format "tcp %b bc=%[bc_err]:%[bc_err_str]"
    server s ` + web + `
`
		startWithConfig(t, bin, cfg, fe, tcpfe)
		drainSyslog(logs)
		var out []string
		for _, p := range paths {
			resp := rawExchange(t, fe, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
			status, _, _ := strings.Cut(resp, "\r\n")
			var hdr string
			for _, l := range strings.Split(resp, "\r\n") {
				if strings.HasPrefix(strings.ToLower(l), "x-bc:") {
					hdr = l
				}
			}
			out = append(out, p+": "+status+" "+hdr+" | "+nextSyslogLine(logs))
		}
		rawExchange(t, tcpfe, "GET / HTTP/1.0\r\n\r\n")
		return append(out, "tcp: "+nextSyslogLine(logs))
	}
	want, got := run(haproxyBin), run(gohaproxy)
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("haproxy: %s\ngoha:    %s", want[i], got[min(i, len(got)-1)])
		} else {
			t.Log(want[i])
		}
	}
}
