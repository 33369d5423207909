package haproxycmd

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// backendStatsRulesCfg: a backend with a stats page and http-response
// rules, behind a frontend with its own.
const backendStatsRulesCfg = sockHTTPHead + `frontend fe
    bind BIND
    http-request set-var(txn.deny) req.hdr(x-deny)
    http-response set-header x-fe 1
    default_backend be
backend be
    stats enable
    stats uri /st
    http-response set-header x-be %[status]
    http-response deny deny_status 403 if { status 200 } { var(txn.deny) -m found }
    server s1 WEB
`

// TestBackendStatsResponseRulesMatchHAProxy: in a backend with a stats
// page, the http-response rules run on the server's responses and not on
// the page's (HAProxy's response analysers let the stats applet's reply
// pass, the frontend's rules too; a deny there does not refuse it),
// beside HAProxy 2.6.12: the status and the header names and values the
// rules touch, and the page's header names.
func TestBackendStatsResponseRulesMatchHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, backendStatsRulesCfg)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(addr, path string, deny bool) string {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if deny {
			req.Header.Set("X-Deny", "1")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		var names []string
		for k := range resp.Header {
			if k != "Date" && k != "Content-Length" {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		return resp.Status + " " + strings.Join(names, ",") + " x-be=" + resp.Header.Get("X-Be") + " x-fe=" + resp.Header.Get("X-Fe")
	}
	for _, tc := range []struct {
		path string
		deny bool
	}{{"/", false}, {"/", true}, {"/st", false}, {"/st", true}, {"/st;csv", false}} {
		want, got := get(haBind, tc.path, tc.deny), get(goBind, tc.path, tc.deny)
		if want != got {
			t.Errorf("%s (deny %v): haproxy %q, goha %q", tc.path, tc.deny, want, got)
		}
		if tc.path == "/" && !tc.deny && !strings.Contains(want, "x-be=200") {
			t.Errorf("haproxy answered %q: the backend's rule did not run", want)
		}
	}
	// The backend's page is counted in the backend's responses, and not
	// as the frontend's interception (HAProxy counts one only when the
	// frontend chose the applet).
	// A daemon may count a response a moment after its client had it:
	// compared again for up to 2 s.
	cols := []string{"pxname", "svname", "req_tot", "hrsp_2xx", "hrsp_4xx", "hrsp_5xx", "intercepted", "dresp"}
	rows := func(sock string) string {
		var out []string
		for _, r := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), cols) {
			if strings.Contains(r, "svname=FRONTEND") || strings.Contains(r, "svname=BACKEND") {
				out = append(out, r)
			}
		}
		return strings.Join(out, "\n")
	}
	w, g := rows(haSock), rows(goSock)
	for i := 0; i < 20 && w != g; i++ {
		time.Sleep(100 * time.Millisecond)
		w, g = rows(haSock), rows(goSock)
	}
	if w != g {
		t.Errorf("show stat\nhaproxy:\n%s\ngoha:\n%s", w, g)
	}
}
