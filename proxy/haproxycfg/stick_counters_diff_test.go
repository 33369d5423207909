package haproxycfg

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// stickStore is every counter a table stores; fe keeps the gpc/gpt
// arrays, t2 the gpc0/gpc1/gpt0 they exclude.
const stickStore = "conn_cnt,conn_cur,conn_rate(60s),sess_cnt,sess_rate(60s),http_req_cnt,http_req_rate(60s)," +
	"http_err_cnt,http_err_rate(60s),http_fail_cnt,http_fail_rate(60s),bytes_in_cnt,bytes_in_rate(60s)," +
	"bytes_out_cnt,bytes_out_rate(60s),server_id"

// stickShowExprs are the counter fetches and converters /show answers:
// every sc0_/sc1_/sc2_/sc_/src_ counter on the tracked entries of fe and
// t2, and the table_* converters on the client's address.
var stickShowExprs = []string{
	"sc0_conn_cnt", "sc1_conn_cnt", "sc2_conn_cnt", "sc_conn_cnt(0)", "sc_conn_cnt(2,t2)", "src_conn_cnt",
	"src_conn_cnt(t2)", "sc0_conn_cur", "sc1_conn_cur", "sc2_conn_cur", "sc_conn_cur(0)", "sc_conn_cur(2,t2)",
	"src_conn_cur", "src_conn_cur(t2)", "sc0_conn_rate", "sc1_conn_rate", "sc2_conn_rate", "sc_conn_rate(0)",
	"sc_conn_rate(2,t2)", "src_conn_rate", "src_conn_rate(t2)", "sc0_sess_cnt", "sc1_sess_cnt", "sc2_sess_cnt",
	"sc_sess_cnt(0)", "sc_sess_cnt(2,t2)", "src_sess_cnt", "src_sess_cnt(t2)", "sc0_sess_rate", "sc1_sess_rate",
	"sc2_sess_rate", "sc_sess_rate(0)", "sc_sess_rate(2,t2)", "src_sess_rate", "src_sess_rate(t2)",
	"sc0_http_req_cnt", "sc1_http_req_cnt", "sc2_http_req_cnt", "sc_http_req_cnt(0)", "sc_http_req_cnt(2,t2)",
	"src_http_req_cnt", "src_http_req_cnt(t2)", "sc0_http_req_rate", "sc1_http_req_rate", "sc2_http_req_rate",
	"sc_http_req_rate(0)", "sc_http_req_rate(2,t2)", "src_http_req_rate", "src_http_req_rate(t2)",
	"sc0_http_err_cnt", "sc1_http_err_cnt", "sc2_http_err_cnt", "sc_http_err_cnt(0)", "sc_http_err_cnt(2,t2)",
	"src_http_err_cnt", "src_http_err_cnt(t2)", "sc0_http_err_rate", "sc1_http_err_rate", "sc2_http_err_rate",
	"sc_http_err_rate(0)", "sc_http_err_rate(2,t2)", "src_http_err_rate", "src_http_err_rate(t2)",
	"sc0_http_fail_cnt", "sc1_http_fail_cnt", "sc2_http_fail_cnt", "sc_http_fail_cnt(0)",
	"sc_http_fail_cnt(2,t2)", "src_http_fail_cnt", "src_http_fail_cnt(t2)", "sc0_http_fail_rate",
	"sc1_http_fail_rate", "sc2_http_fail_rate", "sc_http_fail_rate(0)", "sc_http_fail_rate(2,t2)",
	"src_http_fail_rate", "src_http_fail_rate(t2)", "sc0_bytes_in_rate", "sc1_bytes_in_rate",
	"sc2_bytes_in_rate", "sc_bytes_in_rate(0)", "sc_bytes_in_rate(2,t2)", "src_bytes_in_rate",
	"src_bytes_in_rate(t2)", "sc0_bytes_out_rate", "sc1_bytes_out_rate", "sc2_bytes_out_rate",
	"sc_bytes_out_rate(0)", "sc_bytes_out_rate(2,t2)", "src_bytes_out_rate", "src_bytes_out_rate(t2)",
	"sc0_kbytes_in", "sc1_kbytes_in", "sc2_kbytes_in", "sc_kbytes_in(0)", "sc_kbytes_in(2,t2)", "src_kbytes_in",
	"src_kbytes_in(t2)", "sc0_kbytes_out", "sc1_kbytes_out", "sc2_kbytes_out", "sc_kbytes_out(0)",
	"sc_kbytes_out(2,t2)", "src_kbytes_out", "src_kbytes_out(t2)", "sc0_get_gpc0", "sc1_get_gpc0",
	"sc2_get_gpc0", "sc_get_gpc0(0)", "sc_get_gpc0(2,t2)", "src_get_gpc0", "src_get_gpc0(t2)", "sc0_get_gpc1",
	"sc1_get_gpc1", "sc2_get_gpc1", "sc_get_gpc1(0)", "sc_get_gpc1(2,t2)", "src_get_gpc1", "src_get_gpc1(t2)",
	"sc0_get_gpt0", "sc1_get_gpt0", "sc2_get_gpt0", "sc_get_gpt0(0)", "sc_get_gpt0(2,t2)", "src_get_gpt0",
	"src_get_gpt0(t2)", "sc0_gpc0_rate", "sc1_gpc0_rate", "sc2_gpc0_rate", "sc_gpc0_rate(0)",
	"sc_gpc0_rate(2,t2)", "src_gpc0_rate", "src_gpc0_rate(t2)", "sc0_gpc1_rate", "sc1_gpc1_rate",
	"sc2_gpc1_rate", "sc_gpc1_rate(0)", "sc_gpc1_rate(2,t2)", "src_gpc1_rate", "src_gpc1_rate(t2)",
	"sc0_tracked", "sc1_tracked", "sc2_tracked", "sc_tracked(1)", "sc0_trackers", "sc1_trackers",
	"sc2_trackers", "sc_trackers(0)", "sc_trackers(2,t2)", "sc_get_gpc(1,0)", "src_get_gpc(1,fe)",
	"sc_gpc_rate(1,0)", "src_gpc_rate(1,fe)", "sc_get_gpt(1,0)", "src_get_gpt(1,fe)", "src,table_conn_cnt(fe)",
	"src,table_conn_cnt(t2)", "src,table_conn_cur(fe)", "src,table_conn_cur(t2)", "src,table_conn_rate(fe)",
	"src,table_conn_rate(t2)", "src,table_sess_cnt(fe)", "src,table_sess_cnt(t2)", "src,table_sess_rate(fe)",
	"src,table_sess_rate(t2)", "src,table_http_req_cnt(fe)", "src,table_http_req_cnt(t2)",
	"src,table_http_req_rate(fe)", "src,table_http_req_rate(t2)", "src,table_http_err_cnt(fe)",
	"src,table_http_err_cnt(t2)", "src,table_http_err_rate(fe)", "src,table_http_err_rate(t2)",
	"src,table_http_fail_cnt(fe)", "src,table_http_fail_cnt(t2)", "src,table_http_fail_rate(fe)",
	"src,table_http_fail_rate(t2)", "src,table_bytes_in_rate(fe)", "src,table_bytes_in_rate(t2)",
	"src,table_bytes_out_rate(fe)", "src,table_bytes_out_rate(t2)", "src,table_kbytes_in(fe)",
	"src,table_kbytes_in(t2)", "src,table_kbytes_out(fe)", "src,table_kbytes_out(t2)", "src,table_trackers(fe)",
	"src,table_trackers(t2)", "src,table_server_id(fe)", "src,table_server_id(t2)", "src,table_gpc0(t2)",
	"src,table_gpc1(t2)", "src,table_gpt0(t2)", "src,table_gpc0_rate(t2)", "src,table_gpc1_rate(t2)",
	"src,table_gpc(1,fe)", "src,table_gpc_rate(1,fe)", "src,table_gpt(1,fe)",
}

// stickCountersCfg tracks the client in sc0 (connection), sc1 (session)
// and sc2 (request, table t2), counts on /inc, answers 404 on /err, 503
// (a dead server) on other paths; /show answers every sc*_, sc_, src_
// fetch and table_* converter, /fx the inc/clr fetches (which count).
func stickCountersCfg() string {
	var show []string
	for _, e := range stickShowExprs {
		show = append(show, e+"=%["+e+"]")
	}
	fx := "a=%[sc0_inc_gpc0] b=%[sc1_inc_gpc1] c=%[sc_inc_gpc(1,0)] d=%[src_inc_gpc0] e=%[src_inc_gpc1(t2)] f=%[src_inc_gpc(1,fe)]" +
		" g=%[sc2_inc_gpc0] h=%[sc_inc_gpc0(0)] i=%[sc_inc_gpc1(2)] j=%[sc0_clr_gpc0] k=%[sc_clr_gpc(1,1)] l=%[src_clr_gpc1]" +
		" m=%[sc2_clr_gpc0] n=%[src_clr_gpc(1,fe)] o=%[sc1_clr_gpc(1)] p=%[sc_clr_gpc0(0)] q=%[sc_clr_gpc1(1)] r=%[src_clr_gpc0(t2)]" +
		" s=%[sc1_clr_gpc0] t=%[sc2_clr_gpc1] u=%[sc1_clr_gpc1] v=%[sc0_inc_gpc1] w=%[sc1_inc_gpc0] x=%[sc2_inc_gpc1] y=%[sc0_clr_gpc1]"
	return httpHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 60s store ` + stickStore + `,gpc(3),gpc_rate(3,60s),gpt(2)
    tcp-request connection track-sc0 src
    tcp-request session track-sc1 src
    http-request track-sc2 src table t2
    http-request return status 200 content-type text/plain lf-string "%[ipv4(127.0.0.1),table_conn_cur(fe)]" if { path /probe }
    http-request sc-inc-gpc0(0) if { path /inc }
    http-request sc-inc-gpc1(1) if { path /inc }
    http-request sc-inc-gpc(1,0) if { path /inc }
    http-request sc-inc-gpc(2,1) if { path /inc }
    http-request sc-set-gpt0(2) 42 if { path /inc }
    http-request sc-set-gpt(1,1) 7 if { path /inc }
    http-request sc-set-gpt(0,0) 9 if { path /inc }
    http-request return status 404 if { path /err }
    http-request return status 200 content-type text/plain lf-string "` + strings.Join(show, " ") + `\n" if { path /show }
    http-request return status 200 content-type text/plain lf-string "` + fx + `\n" if { path /fx }
    default_backend be
backend be
    retries 0
    server dead 127.0.0.1:1
backend t2
    stick-table type ip size 100 expire 60s store ` + stickStore + `,gpc0,gpc0_rate(60s),gpc1,gpc1_rate(60s),gpt0
`
}

// TestStickCountersDifferential: every sc0_/sc1_/sc2_/sc_/src_ counter
// fetch, the inc/clr fetches, the table_* converters and the
// sc-inc-gpc*/sc-set-gpt* actions on the same sequence of requests
// through HAProxy 2.6 and goha: the answers must be equal byte for byte.
// Before each request the client's earlier connections must be released
// on both (a probe from 127.0.0.2 reads 127.0.0.1's conn_cur, within 3s),
// so conn_cur and the trackers do not race the previous close.
func TestStickCountersDifferential(t *testing.T) {
	cfg := stickCountersCfg()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	settled := func(addr string) {
		deadline := time.Now().Add(3 * time.Second)
		for {
			raw, _ := exchangeFrom(t, "127.0.0.2", addr, "GET /probe HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", time.Second)
			if bytes.HasSuffix(raw, []byte("\r\n\r\n0")) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: 127.0.0.1's connections not released: %q", addr, raw)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, path := range []string{"/show", "/inc", "/err", "/dead", "/show", "/fx", "/fx", "/inc", "/show"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		settled(ha)
		settled(goha)
		want, _ := exchangeFrom(t, "127.0.0.1", ha, req, time.Second)
		got, _ := exchangeFrom(t, "127.0.0.1", goha, req, time.Second)
		if !bytes.Equal(want, got) {
			w, g := strings.Fields(string(body(want))), strings.Fields(string(body(got)))
			var d []string
			for i := range min(len(w), len(g)) {
				if w[i] != g[i] {
					d = append(d, w[i]+" (goha "+g[i]+")")
				}
			}
			t.Errorf("GET %s: %d fields differ: %s\nhaproxy: %q\ngoha:    %q", path, len(d), strings.Join(d, " "), want, got)
		}
	}
}
