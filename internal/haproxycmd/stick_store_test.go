package haproxycmd

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// The recording servers echo the path in X-Seen-Path, so a store-response
// rule can key on a response header a later request's path matches.
const stickStoreResponseCfg = `global
    stats socket SOCK level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
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
		ha := serverKey.ReplaceAllString(normTable(haproxytest.StatsCmd(t, haSock, "show table "+table)), "")
		goha := normTable(haproxytest.StatsCmd(t, goSock, "show table "+table))
		if ha != goha || strings.Count(ha, "server_id=") < 2 {
			t.Errorf("show table %s:\nhaproxy:\n%s\ngoha:\n%s", table, ha, goha)
		}
	}
}
