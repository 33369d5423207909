package haproxycmd

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// backendTrackCfg: a backend's http-request and http-response stick
// counter rules beside a frontend's: the backend tracks sc0 in its own
// table (a second track-sc0 does nothing), sc2 on the path in another
// table, counts gpc0/gpc1 and sets gpt0 on them, counts on the frontend's
// sc1 when the frontend tracked it, reads its own table with src_get_gpc0
// (no table argument: the backend's), denies (an HTTP error on every
// tracked entry), and its http-response rules count on sc2 and track sc1
// in a third table when the frontend did not; its http-after-response
// rules, its use-server and stick rule conditions read its own table too. A second backend tracks in
// its tcp-request content rules (counted as a request, as HAProxy's
// stream_inc_be_http_req_ctr does) and counts on them.
const backendTrackCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,conn_cur,gpc0
    http-request track-sc1 src if { path /s/fe }
    use_backend tc if { path_beg /s/tc }
    default_backend be
backend be
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,conn_cur,gpc0,gpc1,gpt0,http_err_cnt,http_fail_cnt
    http-request track-sc0 src
    http-request track-sc0 src table other
    http-request track-sc2 path table paths
    http-request sc-inc-gpc0(0)
    http-request sc-inc-gpc1(0) if { path /s/g1 }
    http-request sc-set-gpt0(0) 7 if { path /s/gpt }
    http-request sc-inc-gpc0(1) if { path /s/fe }
    http-request deny deny_status 429 if { path /s/read } { src_get_gpc0 ge 4 }
    http-request deny deny_status 403 if { path /s/deny }
    http-response sc-inc-gpc0(2)
    http-response track-sc1 src table other if { status 200 }
    http-response sc-inc-gpc0(1)
    http-after-response set-status 299 if { status 200 } { src_get_gpc0 gt 6 }
    use-server dead if { src_get_gpc0 gt 9 }
    stick store-request src table sticky if { src_get_gpc0 gt 4 }
    retries 0
    server s1 ORIGIN
    server dead 127.0.0.1:1 backup
backend tc
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,conn_cur,gpc0,gpc1,http_err_cnt
    tcp-request content track-sc0 src
    tcp-request content sc-inc-gpc0(0)
    tcp-request content track-sc1 src table other if { path /s/tc1 }
    tcp-request content sc-inc-gpc1(0) if { sc0_http_req_cnt gt 1 }
    http-request deny deny_status 403 if { path /s/tcdeny }
    server s1 ORIGIN
backend sticky
    stick-table type ip size 100 expire 30s store server_id
backend other
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,conn_cur,gpc0,http_err_cnt
backend paths
    stick-table type string len 32 size 100 expire 30s store http_req_cnt,conn_cnt,gpc0,http_err_cnt,http_fail_cnt
`

// TestBackendTrackMatchesHAProxy: the stick counter rules of a backend
// and its tcp-request content tracking beside HAProxy 2.6.12, over the same requests: the statuses, and the
// show table of the frontend's table and of the three backends' once
// both daemons ended every request.
func TestBackendTrackMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, strings.ReplaceAll(backendTrackCfg, "ORIGIN", statusOrigin(t)))
	after, dead := false, false
	for _, path := range []string{"/s/200", "/s/fe", "/s/g1", "/s/gpt", "/s/404", "/s/503", "/s/deny", "/s/read", "/s/fe", "/s/read", "/s/200",
		"/s/tc", "/s/tc1", "/s/tcdeny", "/s/tc"} {
		ha, goha := statusFrom(t, "127.0.0.6", haBind, path), statusFrom(t, "127.0.0.6", goBind, path)
		if ha != goha {
			t.Errorf("%s: haproxy %d, goha %d", path, ha, goha)
		}
		after, dead = after || ha == 299, dead || ha == 503 && path == "/s/200"
	}
	if !after || !dead {
		t.Errorf("haproxy answered 299 %v, 503 %v: the http-after-response or use-server rule did not read the backend's table", after, dead)
	}
	if st := statusFrom(t, "127.0.0.6", haBind, "/s/read"); st != 429 {
		t.Errorf("haproxy answered /s/read with %d: src_get_gpc0 did not read the backend's table", st)
	}
	statusFrom(t, "127.0.0.6", goBind, "/s/read")
	for _, sock := range []string{haSock, goSock} {
		for i := 0; i < 40 && strings.Contains(haproxytest.StatsCmd(t, sock, "show table be"), " use=1 "); i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, cmd := range []string{"show table fe", "show table be", "show table other", "show table paths", "show table tc", "show table sticky"} {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
}
