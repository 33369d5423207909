package haproxycfg

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestTrackEmptyConnDifferential: a connection closed with nothing sent
// (what difftest.StartHAProxy's readiness probe is), then a request from
// the same address, through HAProxy 2.6 and goha: the request reads the
// counters of the entry it tracks (sc0/sc1/sc2, tracked by tcp-request
// connection, session or content rules or http-request), and they are the
// same. An entry tracked before the request is read counts the empty
// connection as an HTTP request and an error, unless http-ignore-probes;
// one tracked at content or HTTP time does not see it. (A test that lets
// only HAProxy take the probe's connection sees sc1_http_req_cnt 2 there
// and 1 in goha: the probe, not a difference.)
func TestTrackEmptyConnDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cases := []struct{ name, rules string }{
		{"conn", "tcp-request connection track-sc1 src"},
		{"sess", "tcp-request session track-sc1 src"},
		{"content", "tcp-request content track-sc1 src"},
		{"http", "http-request track-sc1 src"},
		{"conn-dontlognull", "option dontlognull\n    tcp-request connection track-sc1 src"},
		{"conn-ignoreprobes", "option http-ignore-probes\n    tcp-request connection track-sc1 src"},
		{"conn-sc0", "tcp-request connection track-sc0 src"},
		{"sess-sc2", "tcp-request session track-sc2 src"},
		{"content-sc0", "tcp-request content track-sc0 src"},
	}
	mk := func(probe string, binds []string, sock string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "global\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\nfrontend probe\n    bind %s\n    http-request return status 200\n", sock, probe)
		for i, c := range cases {
			sc := c.rules[strings.Index(c.rules, "track-")+6:][:3]
			fmt.Fprintf(&b, "frontend f%d\n    bind %s\n    stick-table type ip size 10 store http_req_cnt,http_err_cnt,conn_cnt,sess_cnt\n    %s\n", i, binds[i], c.rules)
			fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string \"req=%%[%s_http_req_cnt] err=%%[%s_http_err_cnt] conn=%%[%s_conn_cnt] sess=%%[%s_sess_cnt]\"\n", sc, sc, sc, sc)
		}
		return b.String()
	}
	dir := t.TempDir()
	haSock, goSock := dir+"/ha.sock", dir+"/go.sock"
	haProbe, goProbe := loopback.FreeAddr(t), loopback.FreeAddr(t)
	var haBinds, goBinds []string
	for range cases {
		haBinds = append(haBinds, loopback.FreeAddr(t))
		goBinds = append(goBinds, loopback.FreeAddr(t))
	}
	difftest.StartHAProxy(t, mk(haProbe, haBinds, haSock), haProbe)
	runPlan(t, mk(goProbe, goBinds, goSock))
	for i := range cases {
		for _, addr := range []string{haBinds[i], goBinds[i]} {
			cn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			cn.Close()
		}
	}
	// Both daemons count the empty connections once they see them closed:
	// a pause of 300 ms lets them (a late count reads as one less).
	time.Sleep(300 * time.Millisecond)
	for i, c := range cases {
		want, _ := difftest.Exchange(haBinds[i], []byte("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), time.Second)
		got, _ := difftest.Exchange(goBinds[i], []byte("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), time.Second)
		wb := string(want[strings.Index(string(want), "\r\n\r\n")+4:])
		gb := string(got[strings.Index(string(got), "\r\n\r\n")+4:])
		if !strings.HasPrefix(wb, "req=") {
			t.Fatalf("%s: haproxy answered %q", c.name, want)
		}
		if wb != gb {
			t.Errorf("%s: haproxy %q goha %q", c.name, wb, gb)
		}
	}
}
