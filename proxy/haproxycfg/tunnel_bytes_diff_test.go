package haproxycfg

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy"
)

// tunnelBytesTable is the data of a show table dump's entries: the
// counters, without the expiry and use count.
var tunnelBytesTable = regexp.MustCompile(`(?m) exp=\d+| use=\d+|^0x[0-9a-f]+: |\n+$`)

// TestTunnelBytesMatchHAProxy: what HAProxy 2.6 counts of a tunnel's
// bytes — %U and %B in the log line, and the tracked entry's bytes_in
// and bytes_out — for HTTP/1 CONNECT tunnels, WebSocket upgrades (101)
// and their non-tunnel answers, and for a tcp frontend's sessions,
// beside goha: after each case the log line and the entry must be equal.
func TestTunnelBytesMatchHAProxy(t *testing.T) {
	t.Parallel()
	backend := &connectBackend{seen: map[string]*bytes.Buffer{}}
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { backend.serve(c, connectCases) })
	echo := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 4096)
		for {
			n, err := c.Read(b)
			if n > 0 {
				c.Write(bytes.Repeat(b[:n], 3))
			}
			if err != nil {
				c.Write([]byte("bye"))
				return
			}
		}
	})
	const head = `global
    log LOG local0
defaults
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`
	t.Run("http", func(t *testing.T) {
		t.Parallel() // the subtests share no server
		cfg := head + `frontend fe
    mode http
    bind BIND
    log-format "%ST %U %B %ts %r"
    stick-table type ip size 10 store bytes_in_cnt,bytes_out_cnt,conn_cnt,http_req_cnt
    tcp-request connection track-sc0 src
    default_backend be
backend be
    mode http
    server s1 ` + srv + `
`
		sock := filepath.Join(t.TempDir(), "stats.sock")
		ha, goha, haLog, goLog, _, plan := startBothLoggedPlan(t, cfg, sock)
		drainLines(haLog, 300*time.Millisecond)
		drainLines(goLog, 50*time.Millisecond)
		haproxytest.StatsCmd(t, sock, "clear table fe")
		for _, tb := range plan.Proxy.Tables {
			tb.Clear(nil, nil, proxy.StickNow())
		}
		for _, tc := range connectCases {
			connectClient(ha, tc)
			connectClient(goha, tc)
			sameLoggedLines(t, tc.name, haLog, goLog, 0)
			w := tunnelBytesTable.ReplaceAllString(haproxytest.StatsCmd(t, sock, "show table fe"), "")
			g := tunnelBytesTable.ReplaceAllString(gohaShowTable(t, plan, "fe"), "")
			if w != g {
				t.Errorf("%s: show table\nhaproxy %q\ngoha    %q", tc.name, w, g)
			}
		}
	})
	t.Run("tcp", func(t *testing.T) {
		t.Parallel() // the subtests share no server
		cfg := head + `frontend fe
    mode tcp
    bind BIND
    log-format "%U %B %ts"
    stick-table type ip size 10 store bytes_in_cnt,bytes_out_cnt,conn_cnt
    tcp-request connection track-sc0 src
    default_backend be
backend be
    mode tcp
    server s1 ` + echo + `
`
		sock := filepath.Join(t.TempDir(), "stats.sock")
		ha, goha, haLog, goLog, _, plan := startBothLoggedPlan(t, cfg, sock)
		drainLines(haLog, 300*time.Millisecond)
		drainLines(goLog, 50*time.Millisecond)
		haproxytest.StatsCmd(t, sock, "clear table fe")
		for _, tb := range plan.Proxy.Tables {
			tb.Clear(nil, nil, proxy.StickNow())
		}
		for _, parts := range [][]string{{"hello"}, {"a", "bcdefgh"}, {}, {strings.Repeat("x", 5000)}} {
			for _, addr := range []string{ha, goha} {
				c, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				c.SetDeadline(time.Now().Add(5 * time.Second))
				for _, p := range parts {
					c.Write([]byte(p))
					time.Sleep(100 * time.Millisecond)
				}
				if len(parts) == 0 {
					// the server connection up before the client's FIN on
					// both sides: a FIN first aborts the connect (CC), a
					// race either side may lose on a loaded machine
					time.Sleep(100 * time.Millisecond)
				}
				c.(*net.TCPConn).CloseWrite()
				io.ReadAll(c)
				c.Close()
			}
			label := strings.Join(parts, "|")
			sameLoggedLines(t, label, haLog, goLog, 1)
			w := tunnelBytesTable.ReplaceAllString(haproxytest.StatsCmd(t, sock, "show table fe"), "")
			g := tunnelBytesTable.ReplaceAllString(gohaShowTable(t, plan, "fe"), "")
			if w != g {
				t.Errorf("%.20s: show table\nhaproxy %q\ngoha    %q", label, w, g)
			}
		}
	})
}
