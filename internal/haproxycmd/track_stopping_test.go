package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// trackServers starts the track tests' servers: a web server (its
// address) and an HTTP check answering with the status in code (200 at
// first; its port). The test needs HAProxy.
func trackServers(t *testing.T) (web string, code *atomic.Int32, chkPort string) {
	testenv.LookPath(t, "haproxy")
	web = loopback.StartWeb(t, "ok").Addr
	code = new(atomic.Int32)
	code.Store(200)
	_, chkPort, _ = net.SplitHostPort(statusCheck(t, code))
	return web, code, chkPort
}

// statusCheck answers HTTP checks with the status code in code.
func statusCheck(t *testing.T, code *atomic.Int32) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			n := int(code.Load())
			fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", n, http.StatusText(n))
		}
	})
}

// A tracked server going to "stopping" (NOLB: `http-check disable-on-404`
// answered 404, or `set server ... health stopping`) passes it down the
// tracking chain, and back to UP or DOWN, with HAProxy 2.6's lines, show
// stat rows and servers state; traffic keeps to what HAProxy serves.
func TestServerTrackStoppingMatchHAProxy(t *testing.T) {
	web, code, chkPort := trackServers(t)
	backends := fmt.Sprintf(`backend be
    http-check disable-on-404
    server s1 %s track b1/s1
    server s2 %s track s1
    server s3 %s backup
backend b1
    option httpchk
    http-check disable-on-404
    server s1 %s check port %s inter 100 rise 1 fall 1
`, web, web, web, web, chkPort)
	pair := startTrackPair(t, backends)
	cols := []string{"pxname", "svname", "status", "tracked", "weight", "act", "bck", "check_status"}
	step := func(name string, c int32, cmd string) {
		t.Helper()
		pair.step(name, cols, trackRows, func() { code.Store(c); pair.cmd(name, cmd) })
	}
	step("up", 200, "")
	step("stopping", 404, "")
	step("up again", 200, "")
	step("stopping again", 404, "")
	step("down from stopping", 503, "")
	step("up from down", 200, "")
	step("tracker maint", 200, "set server be/s1 state maint")
	step("stopping under maint", 404, "")
	step("tracker ready while stopping", 404, "set server be/s1 state ready")
	step("up at last", 200, "")
	step("forced stopping, then checked up", 200, "set server b1/s1 health stopping")
	pair.stderr()
}
