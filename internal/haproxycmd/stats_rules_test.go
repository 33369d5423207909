package haproxycmd

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
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
	haBind, goBind, _, _ := tablesPair(t, backendStatsRulesCfg)
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
}
