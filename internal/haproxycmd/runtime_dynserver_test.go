package haproxycmd

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// `add server` and `del server` beside HAProxy 2.6: the same answers
// byte for byte (errors included), the server created in maintenance and
// served once enabled, with the same share of 40 requests, the same
// `show stat` and `show servers state` rows, the same ids (a deleted id
// is given again), and the same "CLI : ..." lines on stderr.
func TestAddDelServerMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	web := p.webB
	host, port, _ := net.SplitHostPort(web)
	p.same(t,
		"add server be", "add server be/", "add server /s4 "+web, "add server nob/s4 "+web, "add server fe/s4 "+web,
		"add server be/s4", "add server be/s4 "+host+":abc", "add server be/s4 "+host+":99999",
		"add server be/s4 "+web+" cookie c4", "add server be/s4 "+web+" redir http://x", "add server be/s4 "+web+" weight 300",
		"add server be/s4 "+web+" weight -1", "add server be/s1 "+web,
		"del server", "del server be", "del server nob/s1", "del server be/s9", "del server be/s3",
		"add server be/s4 "+web, "add server be/s4 "+web,
		"add server be/s5 "+host+":"+port+" weight 2 maxconn 10 maxqueue 5",
		"add server be/s6 "+web+" backup",
	)
	cols := []string{"pxname", "svname", "status", "weight", "act", "bck", "sid", "slim", "qlimit", "addr"}
	sameStat := func(what string) {
		t.Helper()
		ha, goha := p.both(t, "show stat")
		diffLines(t, what, statColumns(t, ha, cols), statColumns(t, goha, cols))
		ha, goha = p.both(t, "show servers state be")
		if dynHealthMasked(ha) != dynHealthMasked(goha) {
			t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", what, ha, goha)
		}
	}
	sameStat("after add")
	share := func(what string, n int) {
		t.Helper()
		var got [2]map[string]int
		for i, bind := range []string{p.haBind, p.goBind} {
			got[i] = map[string]int{}
			for range n {
				got[i][loopback.Get(t, bind)]++
			}
		}
		if len(got[0]) != len(got[1]) {
			t.Errorf("%s: haproxy %v, goha %v", what, got[0], got[1])
		}
		for k, v := range got[0] {
			if got[1][k] != v {
				t.Errorf("%s: haproxy %v, goha %v", what, got[0], got[1])
				break
			}
		}
	}
	share("added servers in maintenance", 20) // all to s1 (web A)
	p.same(t, "enable server be/s4")
	share("s4 enabled", 40) // s1 and s4 share: 20 and 20
	p.same(t, "set server be/s5 state ready")
	share("s5 ready with weight 2", 40) // s1 10, s4 and s5 30 on web B
	sameStat("after enable")
	p.same(t, "del server be/s4", "disable server be/s4", "del server be/s4", "del server be/s4",
		"add server be/s7 "+web, "get weight be/s7", "del server be/s7")
	p.same(t, "add server be/s8 "+web) // takes s4's id again
	sameStat("after del")
	share("s4 gone", 40)
	// a configured server can go too, once in maintenance and idle
	held := map[string]net.Conn{"haproxy": keepAliveGet(t, p.haTCP), "goha": keepAliveGet(t, p.goTCP)}
	if held["haproxy"] == nil || held["goha"] == nil {
		t.FailNow()
	}
	p.same(t, "disable server tcpl/t1", "del server tcpl/t1")
	if _, goha := p.both(t, "del server tcpl/t1"); goha != "Server still has connections attached to it, cannot remove it.\n" {
		t.Errorf("del server of a busy server: %q", goha)
	}
	for _, c := range held {
		c.Close()
	}
	time.Sleep(200 * time.Millisecond)
	p.same(t, "del server tcpl/t1", "del server tcpl/t1", "add server tcpl/t2 "+web)
	sameStat("after del of a configured server")
	time.Sleep(100 * time.Millisecond)
	pick := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, ") : "); i >= 0 && (strings.Contains(l, "CLI : ") || strings.Contains(l, "maintenance")) {
				keep = append(keep, l[i+4:])
			}
		}
		return keep
	}
	ha, goha := pick(p.haErr.String()), pick(p.goErr.String())
	if len(ha) < 10 {
		t.Fatalf("haproxy logged only %q", ha)
	}
	diffLines(t, "stderr", ha, goha)
}

// dynHealthMasked is `show servers state` as haproxytest.ServersState
// normalises it, with the health of the added servers (id 4 and up) left
// out: HAProxy 2.6 shows 0 or 2 for an unchecked dynamic server put in
// service, from one run to the next.
func dynHealthMasked(out string) string {
	rows := strings.Split(haproxytest.ServersState(out), "\n")
	for i, r := range rows {
		f := strings.Fields(r)
		if id, _ := strconv.Atoi(argOr(f, 2)); id >= 4 && len(f) > 12 {
			f[12] = "*"
			rows[i] = strings.Join(f, " ")
		}
	}
	return strings.Join(rows, "\n")
}

func argOr(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}
