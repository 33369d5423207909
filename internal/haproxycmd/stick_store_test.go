package haproxycmd

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// The recording servers echo the path in X-Seen-Path, so a store-response
// rule can key on a response header a later request's path matches.
const stickStoreResponseCfg = sockHTTPHead + `frontend fe
    bind BIND
    default_backend be
backend be
    balance roundrobin
    stick-table type string len 32 size 1k expire 30s
    stick match path
    stick match path table st
    stick store-request path table st if { path_beg /r }
    stick store-response res.hdr(X-Seen-Path) if { res.hdr(X-Seen-Path) -m beg /s }
    stick store-response res.hdr(X-Seen-Path),lower if { status 200 }
    stick store-response res.hdr(X-Seen-Path),upper table st unless { status 200 }
    stick store-response src table st if { res.hdr(X-Seen-Path) -m beg /rS }
    server s1 WEB1
    server s2 WEB2
    server s3 WEB3
backend st
    stick-table type string len 32 size 1k expire 30s
`

// TestStickStoreResponseMatchesHAProxy: `stick store-response` keyed on a
// response header under response conditions (res.hdr, status), beside
// `stick match` and a store-request rule on the same table: the first
// applicable store-response rule of each table stores, a store-request
// entry and a store-response entry of one table coexist; the same paths
// in the same order through HAProxy 2.6 and gohaproxy reach the same
// servers and leave the same `show table`.
func TestStickStoreResponseMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock, _ := stickPair(t, stickStoreResponseCfg)
	paths := []string{"/a", "/sA", "/sB", "/a", "/sa", "/sA", "/sB", "/sb", "/rS", "/x", "/rS", "/127.0.0.1", "/sA", "/rS", "/a"}
	for i, p := range paths {
		ha, goha := bodyAt(t, "127.0.0.1", haBind, p), bodyAt(t, "127.0.0.1", goBind, p)
		if ha != goha {
			t.Errorf("request %d (%s): haproxy %q, goha %q", i+1, p, ha, goha)
		}
	}
	for _, table := range []string{"be", "st"} {
		ha := normTable(haproxytest.StatsCmd(t, haSock, "show table "+table))
		goha := normTable(haproxytest.StatsCmd(t, goSock, "show table "+table))
		if ha != goha || strings.Count(ha, "server_id=") < 2 {
			t.Errorf("show table %s:\nhaproxy:\n%s\ngoha:\n%s", table, ha, goha)
		}
	}
}

const stickTCPCfg = sockTCPHead + `frontend fe
    bind BIND
    default_backend be
backend be
    balance roundrobin
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 WEB1
    server s2 WEB2
    server s3 WEB3
`

// tcpStickPair is stickPair for a mode tcp cfg: the connection that
// found each proxy listening was relayed to a server like any other (from
// 127.0.0.1, picked by roundrobin and stored, HAProxy storing it once the
// server connection is up, maybe after the next client's); once those are
// done the tables are cleared, so both proxies start from s2 and empty
// tables.
func tcpStickPair(t *testing.T, cfg string, tables ...string) (haBind, goBind, haSock, goSock string) {
	haBind, goBind, haSock, goSock, _ = stickPair(t, cfg)
	time.Sleep(200 * time.Millisecond)
	for _, sock := range []string{haSock, goSock} {
		for _, tb := range tables {
			haproxytest.StatsCmd(t, sock, "clear table "+tb)
		}
	}
	return
}

// TestStickOnSrcTCPMatchesHAProxy: `stick on src` in mode tcp (the HTTP
// requests relayed as bytes): each client stays on one server, the same
// in both proxies, then moves the same way once its server is disabled;
// `show table` is the same each time.
func TestStickOnSrcTCPMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tcpStickPair(t, stickTCPCfg, "be")
	first := stickRounds(t, "before", 3, haBind, goBind)
	if first["127.0.0.1"] == first["127.0.0.2"] {
		t.Errorf("roundrobin sent both clients to %q", first["127.0.0.1"])
	}
	sameStickTable(t, "before", haSock, goSock)
	down, after := roundsAfterDisable(t, first, 2, haBind, goBind, haSock, goSock)
	if strings.HasSuffix(after["127.0.0.1"], down) {
		t.Errorf("127.0.0.1 still on the disabled server %s", down)
	}
	sameStickTable(t, "after", haSock, goSock)
}

// TestStickStoreTCPMatchesHAProxy: in mode tcp, `stick match` on one
// table, `stick store-request` under a source condition into it and
// `stick store-response` (stored once the server connection is up) into
// the backend's own table: the same servers and tables in both proxies.
func TestStickStoreTCPMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickTCPCfg, "    stick on src\n",
		"    stick match src table st\n    stick store-request src table st if { src 127.0.0.2 }\n    stick store-response src\n", 1) +
		"backend st\n    stick-table type ip size 1k expire 30s\n"
	haBind, goBind, haSock, goSock := tcpStickPair(t, cfg, "be", "st")
	for i := 0; i < 4; i++ {
		for _, src := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
			ha, goha := bodyFrom(t, src, haBind), bodyFrom(t, src, goBind)
			if ha != goha {
				t.Errorf("request %d from %s: haproxy %q, goha %q", i+1, src, ha, goha)
			}
		}
	}
	sameStickTable(t, "be", haSock, goSock)
	ha := normTable(haproxytest.StatsCmd(t, haSock, "show table st"))
	goha := normTable(haproxytest.StatsCmd(t, goSock, "show table st"))
	if ha != goha || !strings.Contains(ha, "server_key=s") {
		t.Errorf("show table st:\nhaproxy:\n%s\ngoha:\n%s", ha, goha)
	}
}

// TestStickServerKeyFirstMatchesHAProxy: an entry's server_key (the
// server's name) decides before its server_id: once `set table` points
// server_id at another server, the client still goes where server_key
// says, in both proxies; a server_key filter matches no entry, and `set
// table` of server_key leaves it unchanged, as in HAProxy.
func TestStickServerKeyFirstMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock, _ := stickPair(t, stickOnCfg)
	first := stickRounds(t, "before", 2, haBind, goBind)
	name := strings.TrimPrefix(first["127.0.0.1"], "200 OK ")
	other := map[string]string{"s1": "3", "s2": "1", "s3": "2"}[name]
	for _, sock := range []string{haSock, goSock} {
		haproxytest.StatsCmd(t, sock, "set table be key 127.0.0.1 data.server_id "+other)
		haproxytest.StatsCmd(t, sock, "set table be key 127.0.0.9 data.server_key 2")
	}
	after := stickRounds(t, "after set table", 2, haBind, goBind)
	if after["127.0.0.1"] != first["127.0.0.1"] {
		t.Errorf("127.0.0.1 moved from %q to %q", first["127.0.0.1"], after["127.0.0.1"])
	}
	for _, cmd := range []string{"show table be", "show table be data.server_key eq 0", "show table be data.server_key gt 0", "show table be data.server_id eq " + other} {
		ha := normTable(haproxytest.StatsCmd(t, haSock, cmd))
		goha := normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s:\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
}

// TestStickOnPersistTCPMatchesHAProxy: in mode tcp too, `option persist`
// keeps a client stuck to a disabled server on it, as in HAProxy.
func TestStickOnPersistTCPMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickTCPCfg, "    balance roundrobin\n", "    balance roundrobin\n    option persist\n", 1)
	haBind, goBind, haSock, goSock := tcpStickPair(t, cfg, "be")
	first := stickRounds(t, "before", 2, haBind, goBind)
	_, after := roundsAfterDisable(t, first, 2, haBind, goBind, haSock, goSock)
	if after["127.0.0.1"] != first["127.0.0.1"] {
		t.Errorf("127.0.0.1 moved from %q to %q", first["127.0.0.1"], after["127.0.0.1"])
	}
	sameStickTable(t, "after", haSock, goSock)
}
