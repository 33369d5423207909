package haproxycfg

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy"
)

// TestTCPConnectFailCloseDifferential: a tcp-mode session whose server
// cannot be connected to (a dead port, one retry: logged SC), beside
// HAProxy 2.6.12, for a client that sent 10 bytes and one that sent
// 40000 (more than tune.bufsize). HAProxy reads the client's bytes into
// its buffer while it tries (15360 at most), drains the rest and closes
// with a FIN: the client reads EOF, not a reset; the bytes it held are
// %U and the bin of the frontend, the backend and the server; the
// backend's stot counts the stream, the server's each attempt (2 here).
// Compared: how the client's read ends, the log line, bin/bout and stot
// of each row; over a plain bind and an ssl one (where the bytes counted
// are the decrypted ones, 15360 at most too).
func TestTCPConnectFailCloseDifferential(t *testing.T) {
	pki := newTestPKI(t)
	for _, bind := range []string{"", " ssl crt " + pki.Dir + "/a.pem"} {
		t.Run(map[bool]string{false: "plain", true: "tls"}[bind != ""], func(t *testing.T) {
			cfg := tcpLogHead + `frontend fe
    bind BIND` + bind + `
    log-format "%ft %b/%s %ts %U %Tw/%Tc/%Tt %B %rc"
    default_backend be
backend be
    retries 1
    timeout connect 1s
    server s1 ` + loopback.DeadAddr(t) + `
`
			ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
			gBase := gohaBytes(px)
			for _, n := range []int{10, 40000} {
				label := fmt.Sprintf("%d bytes", n)
				haStat, goStot := haproxytest.StatsCmd(t, sock, "show stat"), gohaStot(px)
				ends := sendThenReadBoth(t, ha, goha, bytes.Repeat([]byte("x"), n), bind != "")
				if ends[0] != ends[1] {
					t.Errorf("%s: the client read\nhaproxy %s\ngoha    %s", label, ends[0], ends[1])
				}
				sameLoggedLines(t, label, haLog, goLog, 1)
				sameStatBytes(t, label, sock, px, base, gBase)
				sameStotDeltas(t, label, sock, px, haStat, goStot)
			}
		})
	}
}

// TestHTTPConnectFailCloseDifferential: an HTTP request whose server
// cannot be connected to (logged SC--) is answered 503 and the
// connection closed, beside HAProxy 2.6.12. With a 40000-byte body, more
// than its buffer takes, HAProxy drains the rest and the client reads
// the page then a FIN (goha reset the connection, which can destroy the
// page in flight). Compared: what the client read and how it ended, the
// log line, each row's stot (the server's counts each attempt) and
// bin/bout: of a body larger than its buffer HAProxy counts what its HTX
// buffer took, tune.maxrewrite kept free (15213 bytes here).
func TestHTTPConnectFailCloseDifferential(t *testing.T) {
	cfg := httpLogHead2s + `frontend fe
    bind BIND
    default_backend be
backend be
    retries 1
    timeout connect 1s
    server s1 ` + loopback.DeadAddr(t) + `
`
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	gBase := gohaBytes(px)
	for _, n := range []int{10, 40000} {
		label := fmt.Sprintf("%d-byte body", n)
		haStat, goStot := haproxytest.StatsCmd(t, sock, "show stat"), gohaStot(px)
		req := append([]byte(fmt.Sprintf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", n)), bytes.Repeat([]byte("x"), n)...)
		ends := sendThenReadBoth(t, ha, goha, req, false)
		if ends[0] != ends[1] || !strings.Contains(ends[0], " 503 ") {
			t.Errorf("%s: the client read\nhaproxy %s\ngoha    %s", label, ends[0], ends[1])
		}
		sameLoggedLines(t, label, haLog, goLog, 1)
		sameStotDeltas(t, label, sock, px, haStat, goStot)
		sameStatBytes(t, label, sock, px, base, gBase)
	}
}

// gohaStot is goha's stot by row (be/BACKEND, be/<server>).
func gohaStot(px *proxy.Proxy) map[string]int64 {
	out := map[string]int64{}
	for _, b := range px.Backends() {
		out[b.Name+"/BACKEND"] = b.Stats.Sessions
		for _, s := range b.Servers {
			out[b.Name+"/"+s.Name] = s.Stats.Sessions
		}
	}
	return out
}

// sameStotDeltas compares what each backend and server row's stot grew
// by since haStat (HAProxy's show stat) and goStot (gohaStot).
func sameStotDeltas(t *testing.T, label, sock string, px *proxy.Proxy, haStat string, goStot map[string]int64) {
	t.Helper()
	before, now, goNow := allStatRows(haStat), allStatRows(haproxytest.StatsCmd(t, sock, "show stat")), gohaStot(px)
	for k, g := range goNow {
		if h := now[k]["stot"] - before[k]["stot"]; h != g-goStot[k] {
			t.Errorf("%s: %s stot grew by %d on haproxy, %d on goha", label, k, h, g-goStot[k])
		}
	}
}

// sendThenReadBoth sends data to each of ha and goha at once, from one
// client each (over TLS with useTLS), then reads until the end: what
// each client read (its first line and length) and how the read ended.
func sendThenReadBoth(t *testing.T, ha, goha string, data []byte, useTLS bool) [2]string {
	var ends [2]string
	var wg sync.WaitGroup
	for i, addr := range []string{ha, goha} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c net.Conn = dialClient(t, addr, 5*time.Second)
			if c == nil {
				return
			}
			defer c.Close()
			if useTLS {
				c = tls.Client(c, &tls.Config{InsecureSkipVerify: true})
			}
			if _, err := c.Write(data); err != nil {
				ends[i] = "write: " + err.Error()
				return
			}
			got, err := io.ReadAll(c)
			first, _, _ := strings.Cut(string(got), "\r\n")
			ends[i] = fmt.Sprintf("%q, %d bytes, then %s", first, len(got), endOf(err))
		}()
	}
	wg.Wait()
	return ends
}
