package haproxycmd

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

const scTCPCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store conn_cnt,sess_cnt,http_req_cnt,gpc(3),gpc_rate(3,10s),gpt(2)
    tcp-request connection track-sc0 src
    tcp-request connection sc-inc-gpc(0,0)
    tcp-request connection sc-set-gpt(0,0) 5 if { src 127.0.0.7 }
    tcp-request connection sc-inc-gpc1(1)
    tcp-request session track-sc1 src table other
    tcp-request session sc-inc-gpc0(1)
    tcp-request session sc-set-gpt0(1) 42 unless { src 127.0.0.8 }
    tcp-request session reject if { src 127.0.0.9 }
    tcp-request session sc-inc-gpc(2,0)
    tcp-request content sc-inc-gpc(1,0) if { path /t }
    tcp-request content sc-set-gpt(1,0) 3 if { path /t }
    tcp-request content sc-inc-gpc1(1)
    default_backend be
backend be
    tcp-response content sc-inc-gpc(2,0)
    tcp-response content sc-set-gpt0(1) 77 if { src 127.0.0.8 }
    tcp-response content sc-inc-gpc0(2)
    server s1 WEB
backend other
    stick-table type ip size 100 expire 30s store conn_cnt,sess_cnt,gpc0,gpc1,gpt0
`

// getFrom is a GET's status on a new connection from src, or "error"
// when the connection ends unanswered.
func getFrom(src, addr, path string) string {
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}
	c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return "error"
	}
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}

// TestSCTCPActionsMatchHAProxy: sc-inc-gpc0/gpc1/gpc and sc-set-gpt0/gpt
// in tcp-request connection, session and content rules and in
// tcp-response content rules, beside HAProxy 2.6: each acts on the entry
// its sticky counter tracks at that stage (nothing when none: sc1 in the
// connection rules), a connection rejected by a session rule keeps what
// the connection rules counted (conn_cnt, gpc) and counts no session nor
// what the later rules do; the same statuses and the same `show table`
// of both tables.
func TestSCTCPActionsMatchHAProxy(t *testing.T) {
	t.Run("http", func(t *testing.T) { scTCPActions(t, scTCPCfg) })
	// In tcp mode the content rules run once, on the connection's stream.
	t.Run("tcp", func(t *testing.T) {
		scTCPActions(t, strings.NewReplacer("mode http", "mode tcp", "{ path /t }", "{ src 127.0.0.7 }").Replace(scTCPCfg))
	})
}

func scTCPActions(t *testing.T, cfg string) {
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	for _, sock := range []string{haSock, goSock} {
		waitNoConnCur(t, sock, "fe")
	}
	for _, q := range []struct{ src, path string }{
		{"127.0.0.7", "/"}, {"127.0.0.7", "/t"}, {"127.0.0.8", "/"}, {"127.0.0.9", "/"},
		{"127.0.0.8", "/t"}, {"127.0.0.9", "/t"}, {"127.0.0.7", "/t"},
	} {
		ha, goha := getFrom(q.src, haBind, q.path), getFrom(q.src, goBind, q.path)
		if ha != goha {
			t.Errorf("%s from %s: haproxy %s, goha %s", q.path, q.src, ha, goha)
		}
	}
	time.Sleep(100 * time.Millisecond)
	for _, cmd := range []string{"show table fe", "show table other"} {
		// The readiness probe's entry (127.0.0.1) is left out: in tcp mode
		// whether its stream reaches the content and response rules
		// depends on when each daemon sees it close (seen: gpc2 1 and 2).
		ha, goha := withoutKey(normTable(haproxytest.StatsCmd(t, haSock, cmd)), "127.0.0.1"), withoutKey(normTable(haproxytest.StatsCmd(t, goSock, cmd)), "127.0.0.1")
		t.Logf("%s:\n%s", cmd, ha)
		if ha != goha {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
	if got := haproxytest.StatsCmd(t, goSock, "show table fe"); !strings.Contains(got, "127.0.0.9 ") || !strings.Contains(got, "127.0.0.7 ") {
		t.Errorf("goha's table lacks the tracked sources:\n%s", got)
	}
}

// TestTCPContentTrackMatchesHAProxy: tcp-request content track-sc0/1 in a
// TCP frontend, in their place among the other content rules (the
// sc-inc-gpc0 before the track-sc1 finds nothing to count on), a counter
// the connection tracks left alone (sc2), beside HAProxy 2.6: the same
// answers and the same show table (connections, sessions, bytes, gpc0).
func TestTCPContentTrackMatchesHAProxy(t *testing.T) {
	cfg := sockTCPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store conn_cnt,conn_cur,sess_cnt,bytes_in_cnt,bytes_out_cnt,gpc0
    tcp-request connection track-sc2 src table other
    tcp-request content track-sc0 src
    tcp-request content sc-inc-gpc0(1)
    tcp-request content track-sc1 src table other if { src 127.0.0.7 }
    tcp-request content sc-inc-gpc0(1)
    tcp-request content sc-inc-gpc0(0)
    tcp-request content track-sc2 src
    default_backend be
backend be
    server s1 WEB
backend other
    stick-table type ip size 100 expire 30s store conn_cnt,conn_cur,sess_cnt,bytes_in_cnt,gpc0
`
	haBind, goBind, haSock, goSock := tablesPair(t, cfg)
	for _, sock := range []string{haSock, goSock} {
		waitNoConnCur(t, sock, "fe")
	}
	for _, src := range []string{"127.0.0.7", "127.0.0.8", "127.0.0.7"} {
		ha, goha := getFrom(src, haBind, "/"), getFrom(src, goBind, "/")
		if ha != goha {
			t.Errorf("from %s: haproxy %s, goha %s", src, ha, goha)
		}
	}
	time.Sleep(100 * time.Millisecond)
	for _, cmd := range []string{"show table fe", "show table other"} {
		// The readiness probe's entry (127.0.0.1) is left out: in tcp mode
		// whether its stream reaches the content and response rules
		// depends on when each daemon sees it close (seen: gpc2 1 and 2).
		ha, goha := withoutKey(normTable(haproxytest.StatsCmd(t, haSock, cmd)), "127.0.0.1"), withoutKey(normTable(haproxytest.StatsCmd(t, goSock, cmd)), "127.0.0.1")
		t.Logf("%s:\n%s", cmd, ha)
		if ha != goha {
			t.Errorf("%s\nhaproxy:\n%s\ngoha:\n%s", cmd, ha, goha)
		}
	}
	if got := haproxytest.StatsCmd(t, goSock, "show table fe"); !strings.Contains(got, "key=127.0.0.7 ") {
		t.Errorf("goha's table lacks the content-tracked source:\n%s", got)
	}
}

// withoutKey drops the entry of key from a show table dump, and the
// table's line, whose used count includes it.
func withoutKey(table, key string) string {
	var out []string
	for _, l := range strings.Split(table, "\n") {
		if !strings.Contains(l, " key="+key+" ") && !strings.HasPrefix(l, "# table:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
