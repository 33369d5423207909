package haproxycmd

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// clearedCols are the show stat columns `clear counters all` zeroes and
// that goha keeps; compared row by row with HAProxy after the clear and
// after more traffic.
var clearedCols = []string{"bin", "pxname", "svname", "stot", "dreq", "ereq", "econ", "eresp", "wretr", "wredis",
	"chkfail", "chkdown", "lbtot", "hrsp_1xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other", "cli_abrt", "srv_abrt",
	"lastsess", "intercepted", "status"}

func statColumns(t *testing.T, out string, cols []string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	idx := map[string]int{}
	for i, h := range strings.Split(strings.TrimPrefix(lines[0], "# "), ",") {
		idx[h] = i
	}
	var rows []string
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		var r []string
		for _, c := range cols {
			r = append(r, c+"="+f[idx[c]])
		}
		rows = append(rows, strings.Join(r, " "))
	}
	return rows
}

// `clear counters all` zeroes the counters HAProxy zeroes (sessions,
// bytes, errors, picks, check DOWN transitions, lastsess back to -1) and
// keeps states; they count again from 0 afterwards. `clear counters`
// (the maxima) answers empty; `all` needs the admin level.
func TestClearCountersMatchHAProxy(t *testing.T) {
	p := startFormatsPair(t)
	both := func(cmd string) (string, string) {
		return haproxytest.StatsCmd(t, p.haSock, cmd), haproxytest.StatsCmd(t, p.goSock, cmd)
	}
	compare := func(when string, cols []string) {
		t.Helper()
		ha, goha := both("show stat")
		diffLines(t, when, statColumns(t, ha, cols), statColumns(t, goha, cols))
	}
	for _, cmd := range []string{"operator; clear counters all", "user; clear counters", "operator; clear counters", "clear counters"} {
		if ha, goha := both(cmd); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", cmd, ha, goha)
		}
	}
	if ha, goha := both("clear counters all"); ha != "\n" || goha != "\n" {
		t.Fatalf("clear counters all: haproxy %q, goha %q", ha, goha)
	}
	compare("after clear counters all", append(clearedCols, "bout"))
	for _, row := range statColumns(t, haproxytest.StatsCmd(t, p.goSock, "show stat"), []string{"svname", "stot", "lbtot", "chkdown", "lastsess"}) {
		if !strings.Contains(row, "stot=0 ") || strings.Contains(row, "chkdown=1") {
			t.Errorf("goha kept a counter: %s", row)
		}
	}
	for i := 0; i < 2; i++ {
		loopback.Get(t, p.haBind)
		loopback.Get(t, p.goBind)
	}
	time.Sleep(200 * time.Millisecond) // HAProxy counts a stream at its end
	// bin and lastsess are left out here: goha's data path counts a
	// request's bytes in differently from HAProxy and does not timestamp
	// sessions (lastsess reads 0 after one), known differences outside
	// the CLI; after the clear both were compared (0 and -1).
	var after []string
	for _, c := range clearedCols {
		if c != "bin" && c != "lastsess" {
			after = append(after, c)
		}
	}
	compare("after clear counters all and 2 requests", after)
	ha, goha := both("show stat")
	cols := []string{"pxname", "svname", "stot", "lbtot", "hrsp_2xx"}
	diffLines(t, "2xx after the clear", statColumns(t, ha, cols), statColumns(t, goha, cols))
}
