package haproxycfg

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestRewriteRoomDifferential: replace-header, replace-value, set-path,
// set-query, set-uri, replace-path and set-method rewrite a block already
// in HAProxy's buffer; each fails when the request no longer fits (500,
// PR, wrew and eint counted), or is skipped and counted after
// strict-mode off. For each rule the boundary is measured on HAProxy
// (the largest field x-a with which the rewrite still succeeds), then
// both proxies get that size and the next: bytes, log lines, and at the
// end wrew/eint/hrsp_5xx in show stat.
func TestRewriteRoomDifferential(t *testing.T) {
	grow := strings.Repeat("g", 2000) // more than tune.maxrewrite, which the receive keeps free
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    http-request strict-mode off if { url_beg /off }
    http-request replace-header x-b ^(.*)$ \1` + grow + ` if { path_end /rh }
    http-request replace-value x-b ^(.*)$ \1` + grow + ` if { path_end /rv }
    http-request set-path /` + grow + ` if { path_end /sp }
    http-request set-query ` + grow + ` if { path_end /sq }
    http-request set-uri /` + grow + ` if { path_end /su }
    http-request replace-path (.*) \1` + grow + ` if { path_end /rp }
    http-request set-method M` + grow + ` if { path_end /sm }
    http-request return status 200 content-type text/plain lf-string "p=%[path,length] q=%[query,length] b=%[req.hdr(x-b),length]"
`
	sock := filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
	time.Sleep(100 * time.Millisecond)
	base := haproxytest.StatsCmd(t, sock, "show stat")
	req := func(path string, n int) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) +
			"\r\nx-b: 1, 2\r\nConnection: close\r\n\r\n"
	}
	// fits is whether HAProxy's rewrite of path succeeds with n bytes of
	// x-a; probes500 counts the 500s it answered while searching.
	probes500 := int64(0)
	fits := func(path string, n int) bool {
		got, _ := exchangeFrom(t, "", ha, req(path, n), time.Second)
		nextLine(t, haLog, "haproxy")
		if bytes.HasPrefix(got, []byte("HTTP/1.1 500")) {
			probes500++
		}
		return bytes.HasPrefix(got, []byte("HTTP/1.1 200"))
	}
	for _, path := range []string{"/rh", "/rv", "/sp", "/sq", "/su", "/rp", "/sm"} {
		lo, hi := 1000, 16300 // fits, fails
		if !fits(path, lo) || fits(path, hi) {
			t.Fatalf("%s: no boundary between %d and %d in haproxy", path, lo, hi)
		}
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; fits(path, mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		t.Logf("%s: fits up to x-a of %d bytes", path, lo)
		for _, c := range []struct {
			path string
			n    int
		}{{path, lo}, {path, lo + 1}, {"/off" + path, lo + 1}} {
			raw := req(c.path, c.n)
			want, wantEnd := exchangeFrom(t, "", ha, raw, time.Second)
			got, gotEnd := exchangeFrom(t, "", goha, raw, time.Second)
			if !bytes.Equal(want, got) || wantEnd != gotEnd {
				t.Errorf("%s %d\nhaproxy (%s):\n%.300q\ngoha (%s):\n%.300q", c.path, c.n, wantEnd, want, gotEnd, got)
			}
			if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
				t.Errorf("%s %d: log\nhaproxy: %s\ngoha:    %s", c.path, c.n, w, g)
			}
		}
	}
	before, after := allStatRows(base), allStatRows(haproxytest.StatsCmd(t, sock, "show stat"))
	fe := px.Frontends()[0].Stats
	for col, got := range map[string]int64{"wrew": fe.WRew, "eint": fe.EInt, "hrsp_5xx": fe.HRsp5xx} {
		w := after["fe/FRONTEND"][col] - before["fe/FRONTEND"][col] - probes500
		if w != got || w == 0 {
			t.Errorf("FRONTEND %s: haproxy %d (besides the searches' %d), goha %d", col, w, probes500, got)
		}
	}
}
