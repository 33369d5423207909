package haproxycfg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// stickStore is every counter a table stores; fe keeps the gpc/gpt
// arrays, t2 the gpc0/gpc1/gpt0 they exclude.
const stickStore = "conn_cnt,conn_cur,conn_rate(60s),sess_cnt,sess_rate(60s),http_req_cnt,http_req_rate(60s)," +
	"http_err_cnt,http_err_rate(60s),http_fail_cnt,http_fail_rate(60s),bytes_in_cnt,bytes_in_rate(60s)," +
	"bytes_out_cnt,bytes_out_rate(60s),server_id"

// stickCountersCfg tracks the client in sc0 (connection), sc1 (session)
// and sc2 (request, table t2), counts on /inc, answers 404 on /err, 503
// (a dead server) on other paths; /show answers every sc*_, sc_, src_
// fetch and table_* converter, /fx the inc/clr fetches (which count).
func stickCountersCfg() string {
	ctrs := []string{"conn_cnt", "conn_cur", "conn_rate", "sess_cnt", "sess_rate", "http_req_cnt", "http_req_rate",
		"http_err_cnt", "http_err_rate", "http_fail_cnt", "http_fail_rate", "bytes_in_rate", "bytes_out_rate",
		"kbytes_in", "kbytes_out", "get_gpc0", "get_gpc1", "get_gpt0", "gpc0_rate", "gpc1_rate", "tracked", "trackers"}
	var show []string
	for _, c := range ctrs {
		for _, p := range []string{"sc0_", "sc1_", "sc2_"} {
			show = append(show, fmt.Sprintf("%s%s=%%[%s%s]", p, c, p, c))
		}
		if c == "tracked" {
			show = append(show, "sc_tracked=%[sc_tracked(1)]")
			continue
		}
		show = append(show, fmt.Sprintf("sc_%s=%%[sc_%s(0)] sct_%s=%%[sc_%s(2,t2)]", c, c, c, c))
		if c != "trackers" {
			show = append(show, fmt.Sprintf("src_%s=%%[src_%s] srct_%s=%%[src_%s(t2)]", c, c, c, c))
		}
	}
	for _, c := range []string{"get_gpc", "gpc_rate", "get_gpt"} {
		show = append(show, fmt.Sprintf("sc_%s=%%[sc_%s(1,0)] src_%s=%%[src_%s(1,fe)]", c, c, c, c))
	}
	for _, c := range []string{"conn_cnt", "conn_cur", "conn_rate", "sess_cnt", "sess_rate", "http_req_cnt", "http_req_rate",
		"http_err_cnt", "http_err_rate", "http_fail_cnt", "http_fail_rate", "bytes_in_rate", "bytes_out_rate", "kbytes_in",
		"kbytes_out", "trackers", "server_id"} {
		show = append(show, fmt.Sprintf("t_%s=%%[src,table_%s(fe)] t2_%s=%%[src,table_%s(t2)]", c, c, c, c))
	}
	for _, c := range []string{"gpc0", "gpc1", "gpt0", "gpc0_rate", "gpc1_rate"} {
		show = append(show, fmt.Sprintf("t2_%s=%%[src,table_%s(t2)]", c, c))
	}
	show = append(show, "t_gpc=%[src,table_gpc(1,fe)] t_gpc_rate=%[src,table_gpc_rate(1,fe)] t_gpt=%[src,table_gpt(1,fe)]")
	fx := "a=%[sc0_inc_gpc0] b=%[sc1_inc_gpc1] c=%[sc_inc_gpc(1,0)] d=%[src_inc_gpc0] e=%[src_inc_gpc1(t2)] f=%[src_inc_gpc(1,fe)]" +
		" g=%[sc2_inc_gpc0] h=%[sc_inc_gpc0(0)] i=%[sc_inc_gpc1(2)] j=%[sc0_clr_gpc0] k=%[sc_clr_gpc(1,1)] l=%[src_clr_gpc1]" +
		" m=%[sc2_clr_gpc0] n=%[src_clr_gpc(1,fe)] o=%[sc1_clr_gpc(1)] p=%[sc_clr_gpc0(0)] q=%[sc_clr_gpc1(1)] r=%[src_clr_gpc0(t2)]" +
		" s=%[sc1_clr_gpc0] t=%[sc2_clr_gpc1] u=%[sc1_clr_gpc1]"
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
