package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// tablesPair runs cfg (BIND, SOCK and WEB replaced) in the real HAProxy
// and in gohaproxy; it returns each one's bind and stats socket.
func tablesPair(t *testing.T, cfg string) (haBind, goBind, haSock, goSock string) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	start := func(bin string) (string, string) {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "t.cfg")
		c := strings.NewReplacer("BIND", bind, "SOCK", filepath.Join(dir, "s.sock"), "WEB", web.Addr).Replace(cfg)
		os.WriteFile(path, []byte(c), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	haBind, haSock = start("haproxy")
	goBind, goSock = start(gohaproxy)
	return
}

// statusFrom sends GET path on a new connection from the source address
// src and returns the status.
func statusFrom(t *testing.T, src, addr, path string) int {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}
	c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s from %s: %v", path, src, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// entryID and expField are what differs between two dumps of the same
// table: the entry's address, and the ms left before expiry.
var entryID, expField = regexp.MustCompile(`(?m)^0x[0-9a-f]+:`), regexp.MustCompile(`exp=\d+`)

// settledTable is show table name once no entry of it is in use, or
// after 2 s: a daemon may still hold the last session's entry a moment
// after its client saw the answer (HAProxy was seen doing so, use=1, in
// full runs).
func settledTable(t *testing.T, sock, name string) string {
	t.Helper()
	var out string
	for i := 0; i < 40; i++ {
		if out = haproxytest.StatsCmd(t, sock, "show table "+name); !entryInUse.MatchString(out) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return out
}

var entryInUse = regexp.MustCompile(` use=[1-9]`)

func normTable(s string) string {
	return expField.ReplaceAllString(entryID.ReplaceAllString(s, "0x:"), "exp=N")
}

const rateLimitCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur,gpc0
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
    http-request sc-inc-gpc0(0) if { path /mark }
    http-request return status 201 if { path /p1 } { sc_get_gpc0(0) eq 1 }
    http-request return status 202 if { path /p2 } { src_http_req_rate gt 1 }
    http-request return status 203 if { path /p3 } { sc0_conn_cur eq 1 }
    http-request return status 204 if { path /p4 } { sc0_tracked }
    http-request return status 205 if { path /p5 } { sc0_trackers ge 1 }
    http-request return status 206 if { path /p6 } { src,in_table(fe) }
    http-request return status 207 if { path /p7 } { src,table_http_req_rate(fe) gt 1 }
    http-request return status 208 if { path /p8 } { sc1_tracked }
    http-request return status 209 if { path /p9 } { src_get_gpc0 eq 1 }
    http-request return status 210 if { path /p10 } { sc_http_req_rate(0) eq 11 }
    http-request return status 211 if { path /p11 } { sc_http_req_rate(0) eq 12 }
    default_backend be
backend be
    server s1 WEB
backend bs
    stick-table type string len 8 size 10 store gpc(2),gpc_rate(2,5s),gpt(2),server_id,bytes_in_cnt,conn_cnt
backend bi
    stick-table type integer size 10 expire 1m nopurge store gpc1,gpc1_rate(1s)
backend b6
    stick-table type ipv6 size 10 store http_err_rate(10s),sess_rate(1s)
`

// TestRateLimitMatchesHAProxy: the rate-limit configuration of HAProxy's
// documentation, the same requests from two clients through HAProxy 2.6
// and gohaproxy: the same statuses, the same `show table` (the entry
// address and the ms left before expiry normalised), and the same
// answers to show/set/clear table with filters and keys, errors included.
func TestRateLimitMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock := tablesPair(t, rateLimitCfg)
	for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
		n := 8
		if src == "127.0.0.2" {
			n = 3
		}
		for i := 0; i < n; i++ {
			path := "/"
			if i == 1 {
				path = "/mark"
			}
			ha, goha := statusFrom(t, src, haBind, path), statusFrom(t, src, goBind, path)
			if ha != goha {
				t.Errorf("request %d from %s: haproxy %d, goha %d", i+1, src, ha, goha)
			}
		}
	}
	// The fetches and converters as the rules see them, from a third
	// client (the probes answer 2xx when their condition holds, else
	// the server answers 200). sc0_trackers is only checked as >= 1: the
	// previous request's stream may still hold the entry when the next
	// one arrives, in either proxy.
	for i := 1; i <= 11; i++ {
		path := fmt.Sprintf("/p%d", i)
		if i == 1 {
			path = "/mark"
		}
		ha, goha := statusFrom(t, "127.0.0.3", haBind, path), statusFrom(t, "127.0.0.3", goBind, path)
		if ha != goha {
			t.Errorf("%s from 127.0.0.3: haproxy %d, goha %d", path, ha, goha)
		}
	}
	for i := 1; i <= 9; i++ {
		path := fmt.Sprintf("/p%d", i)
		ha, goha := statusFrom(t, "127.0.0.3", haBind, path), statusFrom(t, "127.0.0.3", goBind, path)
		if ha != goha {
			t.Errorf("%s from 127.0.0.3: haproxy %d, goha %d", path, ha, goha)
		}
	}
	// The last request's connection must have ended in both (conn_cur).
	for _, sock := range []string{haSock, goSock} {
		waitNoConnCur(t, sock, "fe")
	}
	if got := haproxytest.StatsCmd(t, goSock, "show table fe key 127.0.0.1"); !strings.Contains(got, " gpc0=1 conn_cur=0 http_req_rate(10000)=8\n") {
		t.Errorf("goha's entry of 127.0.0.1 after 8 requests, one marked:\n%s", got)
	}
	cmds := []string{
		"show table", "show table fe", "show table nosuch",
		"show table fe data.http_req_rate gt 3", "show table fe data.gpc0 eq 1", "show table fe data.gpc0 gt 1 data.conn_cur eq 0",
		"show table fe key 127.0.0.2", "show table fe key 10.0.0.1", "show table fe key 1.2.3",
		"show table fe data.foo gt 1", "show table fe data.gpc0 xx 1", "show table fe data.gpc0 gt x", "show table fe key", "show table fe foo",
		"set table fe key 10.0.0.9 data.gpc0 7", "set table fe key 10.0.0.9 data.conn_cnt 1", "set table fe key 10.0.0.9 data.foo 1",
		"set table fe key 10.0.0.9 data.gpc0 x", "set table fe key 10.0.0.9 foo", "set table fe key 10.0.0.9 data.http_req_rate 4",
		"show table fe",
		"set table bs key abc data.server_id 2", "set table bi key 42 data.gpc1 7", "set table b6 key ::1 data.http_err_rate 3",
		"show table bs", "show table bi", "show table b6",
		"clear table", "clear table nosuch", "clear table fe key 10.0.0.9", "show table fe", "clear table fe data.gpc0 eq 1", "show table fe",
		"clear table fe", "show table fe",
	}
	for _, cmd := range cmds {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
}

// TestRateLimitExpiry: an entry of a table with `expire` leaves it once
// untouched for that long, in both.
func TestRateLimitExpiry(t *testing.T) {
	cfg := strings.Replace(rateLimitCfg, "expire 30s", "expire 300ms", 1)
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	statusFrom(t, "127.0.0.1", haBind, "/")
	statusFrom(t, "127.0.0.1", goBind, "/")
	time.Sleep(600 * time.Millisecond)
	for _, cmd := range []string{"show table fe"} {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha || !strings.Contains(goha, "used:0") {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
}

// statusOrigin answers /s/<code> with that status.
func statusOrigin(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := 200
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/s/"), "%d", &code)
		w.WriteHeader(code)
		fmt.Fprintln(w, "origin")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestTrackCountsMatchHAProxy: which counters a tracked request updates
// and when (connections per request, HTTP errors on deny and a server's
// 4xx, failures on its 5xx but 501 and 505, gpc/gpt actions), over
// kept-alive and new connections, compared with HAProxy 2.6's show table.
func TestTrackCountsMatchHAProxy(t *testing.T) {
	for _, track := range []string{"http-request track-sc1 src", "tcp-request content track-sc1 src"} {
		t.Run(track, func(t *testing.T) { trackCounts(t, track) })
	}
}

// trackCounts is TestTrackCountsMatchHAProxy with the tracking rule track.
func trackCounts(t *testing.T, track string) {
	cfg := sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 1k expire 30s store conn_cnt,conn_cur,conn_rate(10s),http_req_cnt,http_req_rate(10s),http_err_cnt,http_err_rate(10s),http_fail_cnt,http_fail_rate(10s),gpc0,gpc0_rate(10s),gpt0,sess_cnt,server_id
    TRACK
    http-request track-sc1 req.hdr(x-none)
    http-request sc-set-gpt0(1) 7 if { path /gpt }
    http-request sc-inc-gpc0(1) if { path /inc }
    http-request sc-inc-gpc0(2) if { path /inc }
    http-request deny if { path /deny }
    default_backend be
backend be
    server s1 ORIGIN
`
	cfg = strings.NewReplacer("ORIGIN", statusOrigin(t), "TRACK", track).Replace(cfg)
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	paths := []string{"/s/200", "/s/404", "/s/403", "/s/500", "/s/501", "/s/503", "/s/505", "/deny", "/gpt", "/inc", "/inc", "/s/302"}
	for _, keep := range []bool{true, false} {
		for name, addr := range map[string]string{"haproxy": haBind, "goha": goBind} {
			c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: !keep}}
			for _, p := range paths {
				resp, err := c.Get("http://" + addr + p)
				if err != nil {
					t.Fatalf("%s %s: %v", name, p, err)
				}
				resp.Body.Close()
			}
			c.CloseIdleConnections()
		}
	}
	time.Sleep(100 * time.Millisecond) // the last connection's end
	got := haproxytest.StatsCmd(t, goSock, "show table fe")
	if ha, goha := normTable(haproxytest.StatsCmd(t, haSock, "show table fe")), normTable(got); ha != goha {
		t.Errorf("show table fe\nhaproxy:\n%s\ngoha:\n%s", ha, goha)
	}
	if !strings.Contains(got, " conn_cnt=24 ") {
		t.Errorf("goha's table after 24 tracked requests:\n%s", got)
	}
}

// TestConnTrackMatchesHAProxy: tcp-request connection track-sc0 counts
// the connection (conn_cnt, conn_cur while open, sess_cnt) and each of its
// requests; a request's own track-sc1 in another table counts apart; a
// connection rate limit rejects as HAProxy's does.
func TestConnTrackMatchesHAProxy(t *testing.T) {
	for _, stage := range []string{"connection", "session"} {
		t.Run(stage, func(t *testing.T) { connTrack(t, stage) })
	}
}

// connTrack is TestConnTrackMatchesHAProxy with the tracking rule of
// tcp-request stage (the reject stays a connection rule: it sees the
// counter only when the connection tracks it).
func connTrack(t *testing.T, stage string) {
	cfg := sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 1k expire 30s store conn_cnt,conn_cur,conn_rate(10s),sess_cnt,sess_rate(10s),http_req_cnt,http_req_rate(10s),http_err_cnt,gpc0
    tcp-request STAGE track-sc0 src
    tcp-request connection reject if { sc0_conn_rate gt 9 }
    http-request track-sc1 src table other
    http-request deny deny_status 403 if { path /cur } { sc0_conn_cur eq 1 }
    http-request sc-inc-gpc0(0) if { path /inc }
    default_backend be
backend be
    server s1 WEB
backend other
    stick-table type ip size 1k expire 30s store conn_cnt,conn_cur,http_req_cnt,sess_cnt
`
	cfg = strings.Replace(cfg, "STAGE", stage, 1)
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	// The readiness probe's connection (tracked too) must have ended in
	// both before the traffic: /cur is denied only when it is the one
	// connection, and under load its end may be seen late.
	for _, sock := range []string{haSock, goSock} {
		waitNoConnCur(t, sock, "fe")
	}
	statuses := map[string]string{}
	for name, addr := range map[string]string{"haproxy": haBind, "goha": goBind} {
		c := &http.Client{Timeout: 5 * time.Second}
		for _, p := range []string{"/", "/cur", "/inc", "/"} {
			resp, err := c.Get("http://" + addr + p)
			if err != nil {
				t.Fatalf("%s %s: %v", name, p, err)
			}
			io.Copy(io.Discard, resp.Body) // the connection is reused
			resp.Body.Close()
			statuses[name] += fmt.Sprint(" ", resp.StatusCode)
		}
		c.CloseIdleConnections()
	}
	if statuses["haproxy"] != statuses["goha"] {
		t.Errorf("statuses on one kept-alive connection: haproxy%s, goha%s", statuses["haproxy"], statuses["goha"])
	}
	time.Sleep(100 * time.Millisecond)
	for _, cmd := range []string{"show table fe", "show table other"} {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s after one kept-alive connection\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
	// New connections until the rate limit rejects them (reset before a
	// response): the same outcome for each in both.
	for i := 0; i < 9; i++ {
		ha, goha := statusOrErr(haBind), statusOrErr(goBind)
		if ha != goha {
			t.Errorf("connection %d: haproxy %s, goha %s", i+2, ha, goha)
		}
	}
	time.Sleep(100 * time.Millisecond)
	for _, cmd := range []string{"show table fe", "show table other"} {
		ha, goha := normTable(haproxytest.StatsCmd(t, haSock, cmd)), normTable(haproxytest.StatsCmd(t, goSock, cmd))
		if ha != goha {
			t.Errorf("%s after the rejections\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
}

// waitNoConnCur waits (up to 3 s) until table's entries on the socket
// sock hold no current connection.
func waitNoConnCur(t *testing.T, sock, table string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if !strings.Contains(haproxytest.StatsCmd(t, sock, "show table "+table), "conn_cur=1") {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("%s: the readiness probe's connection never ended", sock)
}

// statusOrErr is a GET's status on a new connection, or "error".
func statusOrErr(addr string) string {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		return "error"
	}
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}
