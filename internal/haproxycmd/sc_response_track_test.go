package haproxycmd

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
)

const resTrackCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store conn_cnt,conn_cur,http_req_cnt,http_err_cnt,http_fail_cnt,gpc0
    http-request track-sc0 src if { path /s/201 }
    http-response track-sc0 src if { status 200 } || { status 404 } || { status 503 } || { status 500 } || { status 201 }
    http-response track-sc1 status table codes
    http-response track-sc1 src table codes
    http-response sc-inc-gpc0(0)
    http-response sc-inc-gpc0(1)
    default_backend be
backend be
    server s1 ORIGIN
backend codes
    stick-table type integer size 100 expire 30s store conn_cnt,http_req_cnt,http_err_cnt,http_fail_cnt,gpc0
`

// TestHTTPResponseTrackMatchesHAProxy: http-response track-sc0/1 beside
// HAProxy 2.6: a key read from the response (status) or the connection,
// only the first track-sc<n> of a stream applies (an http-request one
// before it, or an earlier response rule, wins), the tracking counts the
// connection and the request, then the response's status (4xx, 5xx), and
// later sc-inc-gpc0 rules count on it: the same statuses and the same
// show table of both tables.
func TestHTTPResponseTrackMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, strings.Replace(resTrackCfg, "ORIGIN", statusOrigin(t), 1))
	for _, path := range []string{"/s/200", "/s/404", "/s/503", "/s/500", "/s/201", "/s/404", "/s/302"} {
		ha, goha := statusFrom(t, "127.0.0.6", haBind, path), statusFrom(t, "127.0.0.6", goBind, path)
		if ha != goha {
			t.Errorf("%s: haproxy %d, goha %d", path, ha, goha)
		}
	}
	for _, name := range []string{"fe", "codes"} {
		ha, goha := normTable(settledTable(t, haSock, name)), normTable(settledTable(t, goSock, name))
		t.Logf("show table %s:\n%s", name, ha)
		if ha != goha {
			t.Errorf("show table %s\nhaproxy:\n%s\ngoha:\n%s", name, ha, goha)
		}
	}
	if got := haproxytest.StatsCmd(t, goSock, "show table codes"); !strings.Contains(got, "key=404 ") {
		t.Errorf("goha's codes table lacks the response status key:\n%s", got)
	}
}

// TestTrackAfterConnTrackMatchesHAProxy: a sticky counter the connection
// tracks (tcp-request connection track-sc0) counts as tracked for the
// http-request and http-response track-sc0 rules, which then do nothing,
// as in HAProxy 2.6, whose stream starts with a copy of the session's
// counters; sc1, tracked by nothing before, is tracked by the response.
func TestTrackAfterConnTrackMatchesHAProxy(t *testing.T) {
	cfg := sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt
    tcp-request connection track-sc0 src
    http-request track-sc0 src table b
    http-response track-sc0 src table c
    http-response track-sc1 src table c
    default_backend be
backend be
    server s1 WEB
backend b
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt
backend c
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt
`
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	for range 2 {
		ha, goha := statusFrom(t, "127.0.0.6", haBind, "/"), statusFrom(t, "127.0.0.6", goBind, "/")
		if ha != goha {
			t.Errorf("haproxy %d, goha %d", ha, goha)
		}
	}
	// The entries are compared once both daemons have ended the last
	// session (use=0): HAProxy was seen still holding it (use=1) in a full run.
	for _, sock := range []string{haSock, goSock} {
		settledTable(t, sock, "fe")
	}
	for _, cmd := range []string{"show table fe", "show table b", "show table c"} {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
	if got := haproxytest.StatsCmd(t, goSock, "show table b"); !strings.Contains(got, "used:0") {
		t.Errorf("goha tracked sc0 again in b:\n%s", got)
	}
}
