package haproxycmd

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

var minconnCols = []string{"pxname", "svname", "qcur", "scur", "slim", "stot"}

// `minconn` with `fullconn`: six slow requests arrive one after the
// other; the server takes minconn of them at once while the backend is
// far below fullconn (roundrobin, fullconn 100: 2 served, 4 queued) and
// more as it nears it (leastconn, fullconn 20: the sixth request finds
// beconn*maxconn/fullconn = 3 and is served). The queue then drains and
// requests get their answers (a 503 for those that outwait the queue
// timeout). show stat (qcur, scur, slim with minconn
// alone as the maxconn, the backends' slim as fullconn) compared with
// HAProxy's while the requests wait, and after.
func TestMinconnMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	slow := slowWeb(t, 700*time.Millisecond)
	web := loopback.StartWeb(t, "web")
	run := func(ha bool) (sock string, fronts [2]string) {
		f2 := loopback.FreeAddr(t)
		backends := fmt.Sprintf("backend be\n    fullconn 100\n    server s1 %s maxconn 10 minconn 2\n"+
			"frontend f2\n    bind %s\n    default_backend b2\n"+
			"backend b2\n    balance leastconn\n    fullconn 20\n    server s1 %s maxconn 10 minconn 2\n"+
			"backend b3\n    server s1 %s minconn 5\n", slow, f2, slow, web.Addr)
		sock, _, bind := serverOptsDaemon(t, ha, "", backends)
		loopback.WaitListen(t, f2)
		return sock, [2]string{bind, f2}
	}
	haSock, haFronts := run(true)
	goSock, goFronts := run(false)
	var wg sync.WaitGroup
	statuses := map[string][]int{}
	var mu sync.Mutex
	for i := 0; i < 6; i++ {
		for who, fronts := range map[string][2]string{"haproxy": haFronts, "goha": goFronts} {
			for _, f := range fronts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code := 0
					if res, err := http.Get("http://" + f + "/"); err == nil {
						code = res.StatusCode
						res.Body.Close()
					}
					mu.Lock()
					statuses[who] = append(statuses[who], code)
					mu.Unlock()
				}()
			}
		}
		time.Sleep(40 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	ha, goha := haproxytest.StatsCmd(t, haSock, "show stat"), haproxytest.StatsCmd(t, goSock, "show stat")
	diffLines(t, "show stat while waiting", statColumns(t, ha, minconnCols), statColumns(t, goha, minconnCols))
	wg.Wait()
	// the frontends' rows may still count a closing client connection
	servers := func(rows []string) []string {
		return slices.DeleteFunc(rows, func(r string) bool { return strings.Contains(r, "svname=FRONTEND") })
	}
	ha, goha = haproxytest.StatsCmd(t, haSock, "show stat"), haproxytest.StatsCmd(t, goSock, "show stat")
	diffLines(t, "show stat after", servers(statColumns(t, ha, minconnCols)), servers(statColumns(t, goha, minconnCols)))
	// the last queued requests of be outwait `timeout connect` (the
	// queue timeout): 503 on both
	slices.Sort(statuses["haproxy"])
	slices.Sort(statuses["goha"])
	if !slices.Equal(statuses["haproxy"], statuses["goha"]) {
		t.Errorf("statuses: haproxy %v, goha %v", statuses["haproxy"], statuses["goha"])
	}
}
