package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// TestTCPConnectFailCloseDifferential: a tcp-mode session whose server
// cannot be connected to (a dead port, one retry: logged SC), beside
// HAProxy 2.6.12, for a client that sent 10 bytes and one that sent
// 40000 (more than tune.bufsize). HAProxy reads the client's bytes into
// its buffer while it tries (15360 at most), drains the rest and closes
// with a FIN: the client reads EOF, not a reset; the bytes it held are
// %U and the bin of the frontend, the backend and the server. Compared:
// how the client's read ends, the log line, bin/bout of each row and the
// backend's stot.
func TestTCPConnectFailCloseDifferential(t *testing.T) {
	cfg := tcpLogHead + `frontend fe
    bind BIND
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
		haStat := haproxytest.StatsCmd(t, sock, "show stat")
		goBe := px.Backends()[0].Stats.Sessions
		var ends [2]string
		var wg sync.WaitGroup
		for i, addr := range []string{ha, goha} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := dialClient(t, addr, 5*time.Second)
				if c == nil {
					return
				}
				defer c.Close()
				if _, err := c.Write(bytes.Repeat([]byte("x"), n)); err != nil {
					ends[i] = "write: " + err.Error()
					return
				}
				got, err := io.ReadAll(c)
				ends[i] = fmt.Sprintf("%d bytes then %s", len(got), endOf(err))
			}()
		}
		wg.Wait()
		if ends[0] != ends[1] {
			t.Errorf("%s: the client read\nhaproxy %s\ngoha    %s", label, ends[0], ends[1])
		}
		sameLoggedLines(t, label, haLog, goLog, 1)
		sameStatBytes(t, label, sock, px, base, gBase)
		haBe := allStatRows(haproxytest.StatsCmd(t, sock, "show stat"))["be/BACKEND"]["stot"] - allStatRows(haStat)["be/BACKEND"]["stot"]
		if goDelta := px.Backends()[0].Stats.Sessions - goBe; haBe != goDelta {
			t.Errorf("%s: be stot grew by %d on haproxy, %d on goha", label, haBe, goDelta)
		}
	}
}
