package haproxycmd

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// contentTrackCfg: an HTTP frontend tracking sc1 at the session and sc0
// in its content rules, whose later content rules read the counts into
// variables, shown with the http-request rules' reading in the answer's
// fields.
const contentTrackCfg = `global
    stats socket SOCK level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store http_req_cnt,http_req_rate(10s),conn_cnt,conn_cur,sess_cnt,gpc0
    tcp-request session track-sc1 src table other
    tcp-request content set-var(txn.pre) sc_http_req_cnt(0)
    tcp-request content track-sc0 src
    tcp-request content set-var(txn.req0) sc_http_req_cnt(0)
    tcp-request content set-var(txn.req1) sc_http_req_cnt(1)
    tcp-request content set-var(txn.conn0) sc_conn_cnt(0)
    tcp-request content set-var(txn.gpc) sc_get_gpc0(0)
    tcp-request content sc-inc-gpc0(0)
    tcp-request content accept if { path /acc }
    tcp-request content set-var(txn.skip) str(ran)
    tcp-request content reject if { path /rej }
    http-request return status 200 hdr pre "%[var(txn.pre)]" hdr req "%[var(txn.req0)]/%[var(txn.req1)]" hdr conn "%[var(txn.conn0)]" hdr gpc "%[var(txn.gpc)]/%[sc_get_gpc0(0)]" hdr skip "%[var(txn.skip)]" hdr now "%[sc_http_req_cnt(0)]/%[sc_http_req_cnt(1)]/%[sc_http_req_rate(0)]"
backend other
    stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,sess_cnt
`

// TestContentTrackCountsMatchHAProxy: HAProxy 2.6 counts a request on the
// entries its stream tracks (the session's and those of the content
// rules) once the frontend's content rules ran: a content rule after a
// track-sc reads the counts before this request (conn_cnt and gpc0 as
// they are at once), an http-request rule after it, and a request its
// content rules reject is not counted. Compared beside HAProxy 2.6.12:
// the answers' fields over kept-alive and new connections, and show
// table of both tables.
func TestContentTrackCountsMatchHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, contentTrackCfg)
	paths := []string{"/a", "/acc", "/b", "/rej", "/c"}
	for _, keep := range []bool{true, false} {
		var got [2][]string
		for i, addr := range []string{haBind, goBind} {
			c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: !keep}}
			for _, p := range paths {
				resp, err := c.Get("http://" + addr + p)
				if err != nil {
					// the reject closes the connection: a new one goes on
					got[i] = append(got[i], p+": closed")
					continue
				}
				resp.Body.Close()
				h := resp.Header
				got[i] = append(got[i], fmt.Sprintf("%s: %d pre=%s req=%s conn=%s gpc=%s skip=%s now=%s", p, resp.StatusCode,
					h.Get("pre"), h.Get("req"), h.Get("conn"), h.Get("gpc"), h.Get("skip"), h.Get("now")))
			}
			c.CloseIdleConnections()
		}
		if ha, goha := strings.Join(got[0], "\n"), strings.Join(got[1], "\n"); ha != goha {
			t.Errorf("keep-alive %v:\nhaproxy:\n%s\ngoha:\n%s", keep, ha, goha)
		}
	}
	// the counts must show the order, not only agree
	for _, addr := range []string{haBind, goBind} {
		probe := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := probe.Get("http://" + addr + "/a")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if r, n := resp.Header.Get("req"), resp.Header.Get("now"); r == "" || strings.HasPrefix(n, r+"/") {
			t.Errorf("%s: content rules read %q, http-request rules %q: not one request apart", addr, r, n)
		}
	}
	for _, name := range []string{"fe", "other"} {
		ha, goha := normTable(settledTable(t, haSock, name)), normTable(settledTable(t, goSock, name))
		if ha != goha {
			t.Errorf("show table %s\nhaproxy:\n%s\ngoha:\n%s", name, ha, goha)
		}
	}
}
