package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// promexBackendCfg: the exporter served by a backend's use-service rule,
// reached from two frontends: the backend's http-response rules run on
// its replies before the frontend's (an allow ends the backend's list
// only), its http-after-response rules before the frontend's; a request
// the rule does not take goes to the server. A third frontend serves it
// itself, with header rules one after the other, an allow and a deny.
// Errorfiles 400 (%[7]s) and 502 (%[8]s) in fe, fe3 and bep.
const promexBackendCfg = promexHead + `frontend fe
 bind %[2]s
 errorfile 400 %[7]s
 log %[4]s local0
 option httplog
 http-request set-var(txn.allow) req.hdr(x-allow)
 http-response set-header X-Fe fe
 http-response add-header X-Both fe
 http-after-response set-header X-After-Fe fe
 default_backend bep
frontend fe2
 bind %[5]s
 log %[4]s local0
 option httplog
 http-request set-var(txn.deny) req.hdr(x-deny)
 http-response del-header X-Be2
 http-response deny if { var(txn.deny) -m found }
 default_backend bep
frontend fe3
 bind %[6]s
 errorfile 400 %[7]s
 errorfile 502 %[8]s
 log %[4]s local0
 option httplog
 http-request set-var(txn.deny) req.hdr(x-deny)
 http-request set-var(txn.allow) req.hdr(x-allow)
 http-request use-service prometheus-exporter if { path /metrics }
 http-response set-header X-A a
 http-response add-header X-A a2
 http-response set-header X-B b
 http-response allow if { var(txn.allow) -m found }
 http-response del-header X-B
 http-response set-header X-C c
 http-response deny if { var(txn.deny) -m found }
 http-after-response set-header X-After-Fe3 fe3
 default_backend bep
backend bep
 errorfile 400 %[7]s
 errorfile 502 %[8]s
 http-request set-header X-Req 1
 http-request use-service prometheus-exporter if { path /metrics }
 http-response set-header X-Be be
 http-response add-header X-Both be
 http-response set-header X-Be2 be2
 http-response allow if { var(txn.allow) -m found }
 http-response set-header X-Be3 be3
 http-after-response set-header X-After-Be be
 server s1 %[3]s
`

// TestPromexBackendDiff: `http-request use-service prometheus-exporter`
// in a backend beside HAProxy 2.6.12: the response heads byte for byte
// (HTTP/1.1, HTTP/1.0, HEAD, an allow, a frontend's deny), the log lines
// (fe bep/<PROMEX>) and the frontend and backend counters those requests
// drive (interceptions, requests, responses by status).
func TestPromexBackendDiff(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	heads := map[string][]string{}
	logs := map[string][]string{}
	counters := map[string][]string{}
	reqs := []struct {
		front int
		req   string
	}{
		{0, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{0, "GET /metrics?scope=global HTTP/1.0\r\n\r\n"},
		{0, "HEAD /metrics?scope=global HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{0, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nx-allow: 1\r\nconnection: close\r\n\r\n"},
		{1, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{1, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nx-deny: 1\r\nconnection: close\r\n\r\n"},
		{0, "GET /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{0, "GET /other HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{2, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{2, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nx-allow: 1\r\nconnection: close\r\n\r\n"},
		{2, "GET /metrics?scope=global HTTP/1.1\r\nhost: x\r\nx-deny: 1\r\nconnection: close\r\n\r\n"},
		{2, "GET /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{2, "HEAD /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{0, "HEAD /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"},
		{1, "HEAD /metrics?scope=global HTTP/1.1\r\nhost: x\r\nx-deny: 1\r\nconnection: close\r\n\r\n"},
	}
	// Errorfiles: the exporter's own 400 ignores them, a deny's 502 takes
	// the backend's, else the frontend's.
	dir := t.TempDir()
	e400, e502 := filepath.Join(dir, "400.http"), filepath.Join(dir, "502.http")
	for f, page := range map[string]string{e400: "400 Bad request", e502: "502 Bad Gateway"} {
		body := "custom " + page[:3] + "\n"
		os.WriteFile(f, []byte("HTTP/1.0 "+page+"\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: "+
			strconv.Itoa(len(body))+"\r\n\r\n"+body), 0o644)
	}
	for _, bin := range []string{gohaproxy, haproxy} {
		fe, fe2, fe3 := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
		sock, syslog := startPromex(t, bin, func(sock string, syslog net.Addr) string {
			return fmt.Sprintf(promexBackendCfg, sock, fe, web.Addr, syslog, fe2, fe3, e400, e502)
		})
		for _, r := range reqs {
			heads[bin] = append(heads[bin], rawHead(t, []string{fe, fe2, fe3}[r.front], r.req))
		}
		n := 0
		readSyslog(syslog, func(d string) bool {
			if _, l, ok := strings.Cut(d, "]: "); ok {
				f := strings.Fields(l)
				// client, date, timers and the bytes out of the
				// exporter's metrics out (its figures differ):
				// frontend, backend/server, status, bytes out of its
				// error pages, termination state, request line
				b := "(metrics)" // its size, the exporter's figures, differs
				if strings.Contains(l, "scope=bogus") {
					b = f[6] // its error page's
				}
				logs[bin] = append(logs[bin], strings.Join([]string{f[2], f[3], f[5], b, f[9], strings.Join(f[len(f)-3:], " ")}, " "))
			}
			n++
			return n < len(reqs)
		})
		for _, r := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "stot",
			"req_tot", "hrsp_2xx", "hrsp_4xx", "hrsp_5xx", "intercepted", "dresp", "lbtot", "cli_abrt", "srv_abrt"}) {
			if strings.Contains(r, "svname=FRONTEND") || strings.Contains(r, "svname=BACKEND") {
				counters[bin] = append(counters[bin], r)
			}
		}
	}
	for i := range reqs {
		if g, h := heads[gohaproxy][i], heads[haproxy][i]; g != h {
			t.Errorf("request %d %q:\ngohaproxy %s\nhaproxy   %s", i, reqs[i].req, g, h)
		}
	}
	if !strings.Contains(heads[haproxy][0], `x-be: be\r\nx-both: be\r\nx-be2: be2\r\nx-be3: be3\r\nx-fe: fe\r\nx-both: fe`) {
		t.Errorf("haproxy did not apply the backend's rules before the frontend's: %s", heads[haproxy][0])
	}
	sameSortedLogs(t, logs[gohaproxy], logs[haproxy], len(reqs))
	if x, y := strings.Join(counters[gohaproxy], "\n"), strings.Join(counters[haproxy], "\n"); x != y {
		t.Errorf("show stat\ngohaproxy:\n%s\nhaproxy:\n%s", x, y)
	}
}
