package haproxycmd

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Server `id`: forced ids and the others numbered around them (show stat
// sid, show servers state srv_id and srv_f_forced_id), a consistent hash
// ring keyed by the ids (which server each of 40 URIs reaches), and
// `balance first` filling the lowest id first, compared with HAProxy.
func TestServerIDMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	a, b, c := loopback.StartWeb(t, "a"), loopback.StartWeb(t, "b"), loopback.StartWeb(t, "c")
	run := func(ha bool) (string, string) {
		f2 := loopback.FreeAddr(t)
		backends := fmt.Sprintf("backend be\n    balance uri\n    hash-type consistent\n"+
			"    server sa %s id 7\n    server sb %s\n    server sc %s id 1\n    server sd %s\n"+
			"frontend f2\n    bind %s\n    default_backend bf\n"+
			"backend bf\n    balance first\n    server sa %s id 9 maxconn 1\n    server sb %s\n    server sc %s id 4\n",
			a.Addr, b.Addr, c.Addr, a.Addr, f2, a.Addr, b.Addr, c.Addr)
		sock, _, bind := serverOptsDaemon(t, ha, "", backends)
		loopback.WaitListen(t, f2)
		return sock, bind + " " + f2
	}
	haSock, haFronts := run(true)
	goSock, goFronts := run(false)
	ha, goha := haproxytest.StatsCmd(t, haSock, "show stat"), haproxytest.StatsCmd(t, goSock, "show stat")
	cols := []string{"pxname", "svname", "iid", "sid"}
	diffLines(t, "show stat", statColumns(t, ha, cols), statColumns(t, goha, cols))
	ha, goha = haproxytest.StatsCmd(t, haSock, "show servers state"), haproxytest.StatsCmd(t, goSock, "show servers state")
	if haproxytest.ServersState(ha) != haproxytest.ServersState(goha) {
		t.Errorf("show servers state\nhaproxy %s\n   goha %s", haproxytest.ServersState(ha), haproxytest.ServersState(goha))
	}
	answers := func(fronts string) []string {
		fe, ff, _ := strings.Cut(fronts, " ")
		var out []string
		get := func(url string) string {
			res, err := http.Get(url)
			if err != nil {
				return err.Error()
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return strings.TrimSpace(string(body))
		}
		for i := 0; i < 40; i++ {
			out = append(out, get(fmt.Sprintf("http://%s/p%d", fe, i)))
		}
		for i := 0; i < 3; i++ {
			out = append(out, "first:"+get("http://"+ff+"/"))
		}
		return out
	}
	diffLines(t, "answers", answers(haFronts), answers(goFronts))
}
