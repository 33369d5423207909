package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// promexRulesCfg: the exporter's replies through http-response rules
// other than header edits — set-status (with and without a reason),
// set-var on status and res.hdr, a header whose value reads the status
// a set-status gave, capture response header, http-response capture,
// return, redirect, deny with and without deny_status, replace-header
// and replace-value on the reply's own fields and on one a rule added
// (a later fetch reading the result), set-log-level silent and err, a
// response track-sc and sc-inc-gpc0/sc-set-gpt0 on it and on a counter
// http-request tracked (a later fetch reading them) — chosen by the
// request's x-k header.
const promexRulesCfg = promexHead + `frontend fe
 bind %[2]s
 log %[3]s local0
 log-format "%%ST k=%%[var(txn.k)] %%[var(txn.v)] [%%[var(txn.h)]] %%hs %%tsc %%HU B=%%B"
 capture response header content-type len 30
 declare capture response len 20
 stick-table type string len 32 size 10 store gpc0,gpt0,http_req_cnt,http_err_cnt,http_fail_cnt
 http-request set-var(txn.k) req.hdr(x-k)
 http-request track-sc1 str(req) if { var(txn.k) -m sub q }
 http-request use-service prometheus-exporter if { path /metrics }
 http-response set-var(txn.v) status
 http-response set-var(txn.h) res.hdr(content-type)
 http-response capture res.hdr(cache-control) id 1
 http-response set-status 299 if { var(txn.k) -m str s }
 http-response set-status 298 reason Odd if { var(txn.k) -m str s2 }
 http-response set-header x-st %%[status] if { var(txn.k) -m str s }
 http-response return status 201 content-type text/plain string "ret" if { var(txn.k) -m str r }
 http-response redirect location /x if { var(txn.k) -m str d }
 http-response deny deny_status 403 if { var(txn.k) -m str deny }
 http-response deny if { var(txn.k) -m str deny502 }
 http-response set-header x-a "a1, a2" if { var(txn.k) -m str rv }
 http-response replace-header content-type (.*)/(.*) \2/\1 if { var(txn.k) -m str rh }
 http-response replace-value x-a ^a(.)$ b\1 if { var(txn.k) -m str rv }
 http-response replace-value cache-control no-(.*) yes-\1 if { var(txn.k) -m str rv }
 http-response set-header x-ct %%[res.hdr(content-type)],%%[res.hdr(cache-control)] if { var(txn.k) -m str rh rv }
 http-response track-sc0 str(res) if { var(txn.k) -m sub t }
 http-response sc-inc-gpc0(0) if { var(txn.k) -m sub t }
 http-response sc-inc-gpc0(1) if { var(txn.k) -m sub q }
 http-response sc-set-gpt0(0) 7 if { var(txn.k) -m sub t }
 http-response set-header x-g %%[sc0_get_gpc0],%%[sc1_get_gpc0],%%[sc0_http_req_cnt],%%[sc0_http_err_cnt] if { var(txn.k) -m sub t q }
 http-response set-log-level silent if { var(txn.k) -m str sil }
 http-response set-log-level err if { var(txn.k) -m str err }
 http-response set-header x-after yes
 default_backend be
backend be
 server s1 %[4]s
`

// TestPromexResponseRulesMatchHAProxy sends the cases to HAProxy 2.6 and
// goha running promexRulesCfg: the heads the client gets (the
// exporter's metrics left out), the whole answers of a keep-alive
// connection whose replies the rules replace (its connection kept), the
// log lines (%B compared for the exporter's error page and the answers
// replacing it; the metrics differ) and the frontend's dresp must be
// equal.
func TestPromexResponseRulesMatchHAProxy(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	keys := []string{"", "s", "s2", "r", "d", "deny", "deny502", "rh", "rv", "sil", "err", "t", "q", "tq"}
	var reqs []string
	for _, scope := range []string{"global", "bogus"} {
		for _, k := range keys {
			reqs = append(reqs, fmt.Sprintf("GET /metrics?scope=%s HTTP/1.1\r\nhost: x\r\nx-k: %s\r\nconnection: close\r\n\r\n", scope, k))
		}
	}
	reqs = append(reqs, "HEAD /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nx-k: r\r\nconnection: close\r\n\r\n")
	keepAlive := "GET /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nx-k: r\r\n\r\n" +
		"GET /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nx-k: deny\r\n\r\n" +
		"GET /metrics?scope=bogus HTTP/1.1\r\nhost: x\r\nx-k: d\r\nconnection: close\r\n\r\n"
	heads, logs, kept, stats := map[string][]string{}, map[string][]string{}, map[string]string{}, map[string]string{}
	tables := map[string]string{}
	addrRe := regexp.MustCompile(`(?m)^0x[0-9a-f]+: `)
	for _, bin := range []string{gohaproxy, haproxy} {
		fe := loopback.FreeAddr(t)
		sock, syslog := startPromex(t, bin, func(sock string, syslog net.Addr) string {
			return fmt.Sprintf(promexRulesCfg, sock, fe, syslog, web.Addr)
		})
		for _, r := range reqs {
			heads[bin] = append(heads[bin], rawHead(t, fe, r))
		}
		kept[bin] = rawAll(t, fe, keepAlive)
		n, want := 0, len(reqs)+3-2 // the two set-log-level silent ones logged nothing
		bytesRe := regexp.MustCompile(` B=\d+$`)
		readSyslog(syslog, func(d string) bool {
			if pri, l, ok := strings.Cut(d, "]: "); ok {
				pri, _, _ = strings.Cut(pri, ">")
				l = pri + "> " + strings.TrimSpace(l)
				if strings.Contains(l, "scope=global") {
					l = bytesRe.ReplaceAllString(l, " B=(metrics)")
				}
				logs[bin] = append(logs[bin], l)
			}
			n++
			return n < want
		})
		tables[bin] = strings.TrimSpace(addrRe.ReplaceAllString(haproxytest.StatsCmd(t, sock, "show table fe"), ""))
		for _, r := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "dresp", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx"}) {
			if strings.Contains(r, "svname=FRONTEND") {
				stats[bin] += r + "\n"
			}
		}
	}
	for i := range reqs {
		if g, h := heads[gohaproxy][i], heads[haproxy][i]; g != h {
			t.Errorf("%q:\ngohaproxy %s\nhaproxy   %s", reqs[i], g, h)
		}
	}
	if g, h := kept[gohaproxy], kept[haproxy]; g != h {
		t.Errorf("keep-alive connection:\ngohaproxy %q\nhaproxy   %q", g, h)
	}
	sameSortedLogs(t, logs[gohaproxy], logs[haproxy], len(reqs)+3-2)
	if l := strings.Join(logs[haproxy], "\n"); !strings.Contains(l, "|no-cache} LR--") || strings.Count(l, "<131> ") != 2 || strings.Contains(l, "k=sil") {
		t.Errorf("haproxy's log lines lack the http-response capture, two err-level lines, or log a silent one: %q", logs[haproxy])
	}
	if g, h := tables[gohaproxy], tables[haproxy]; g != h || !strings.Contains(h, "key=res use=0 exp=0 gpt0=7 gpc0=4 http_req_cnt=4 http_err_cnt=2") {
		t.Errorf("show table fe\ngohaproxy %s\nhaproxy   %s", g, h)
	}
	if g, h := stats[gohaproxy], stats[haproxy]; g != h {
		t.Errorf("show stat\ngohaproxy %s\nhaproxy   %s", g, h)
	}
	for _, w := range []string{`HTTP/1.1 299 Success`, `HTTP/1.1 298 Odd`, `x-st: 299`, `HTTP/1.1 403 Forbidden`, `HTTP/1.1 201 Created`,
		"content-type: plain; version=0.0.4/text", "content-type: html/text", "cache-control: yes-cache", "x-a: b1,b2",
		"x-ct: html/text,no-cache", "x-ct: text/plain; version=0.0.4,yes-cache", "x-g: 3,,3,1", "x-g: 4,4,4,2"} {
		if !strings.Contains(strings.Join(heads[haproxy], "\n"), w) {
			t.Errorf("haproxy's heads lack %q", w)
		}
	}
}

// rawAll sends raw and returns all that comes back until the proxy
// closes (or 2 s of quiet).
func rawAll(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, raw)
	b, _ := io.ReadAll(c)
	return string(b)
}
