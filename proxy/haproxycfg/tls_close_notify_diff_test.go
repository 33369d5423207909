package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const closeNotifyConfig = `global
    crt-base PKIDIR
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 2s
    timeout http-keep-alive 300ms
    timeout http-request 400ms
frontend fe
    bind BIND ssl crt a.pem
    http-request return status 200 content-type text/plain string ok
`

// closeEnd sends raw through openssl s_client at version and reports the
// status line that came back and whether the server's close_notify alert
// came before its close (crypto/tls reads a bare TCP close at a record
// boundary as a clean end, OpenSSL 3 as "unexpected eof").
func closeEnd(addr, version, raw string) string {
	cmd := exec.Command("openssl", "s_client", "-connect", addr, version, "-quiet", "-msg")
	in, _ := cmd.StdinPipe()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err.Error()
	}
	io.WriteString(in, raw) // stdin stays open: s_client ends when the server closes
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(4 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	in.Close()
	status, end := "", "no close_notify"
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "HTTP/1.1 ") && status == "" {
			status = strings.TrimSpace(l)
		}
		if strings.HasPrefix(l, "<<< ") && strings.Contains(l, "close_notify") {
			end = "close_notify"
		}
	}
	return fmt.Sprintf("%q, %s", status, end)
}

// TestTLSCloseNotifyMatchesHAProxy: a TLS client connection ends with a
// close_notify alert, as HAProxy 2.6 ends it, after a `Connection:
// close` exchange, at the keep-alive timeout and after the 408 of a
// request timeout, in TLS 1.2 and 1.3.
func TestTLSCloseNotifyMatchesHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	cfg := strings.ReplaceAll(closeNotifyConfig, "PKIDIR", pki.Dir)
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))
	loopback.WaitListen(t, goha)
	cases := []struct{ name, raw string }{
		{"connection close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"keep-alive timeout", "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"request timeout", ""},
	}
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		for _, c := range cases {
			var out [2]string
			out[0], out[1] = bothAtOnce(ha, goha, func(addr string) string { return closeEnd(addr, v, c.raw) })
			name := c.name + ", " + v
			t.Logf("%s: haproxy %s", name, out[0])
			if out[0] != out[1] {
				t.Errorf("%s:\n haproxy %s\n goha    %s", name, out[0], out[1])
			}
			if !strings.HasSuffix(out[0], ", close_notify") {
				t.Errorf("%s: haproxy ended %s, expected a close_notify", name, out[0])
			}
		}
	}
}
