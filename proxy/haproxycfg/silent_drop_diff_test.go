package haproxycfg

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy"
)

// silentObserve is what a client sees of a connection: first without
// sending (does anything arrive in 300 ms?), then after sending raw. A
// socket dropped silently (TCP_REPAIR) says nothing; bytes sent to it
// afterwards meet the kernel's reset.
func silentObserve(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	read := func(d time.Duration) string {
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(d))
		n, err := c.Read(buf)
		switch {
		case n > 0:
			return fmt.Sprintf("data %q", buf[:n])
		case errors.Is(err, os.ErrDeadlineExceeded):
			return "quiet"
		case errors.Is(err, io.EOF):
			return "fin"
		case errors.Is(err, syscall.ECONNRESET):
			return "reset"
		}
		return fmt.Sprint(err)
	}
	before := read(300 * time.Millisecond)
	if _, err := c.Write([]byte(raw)); err != nil {
		return before + ", write: " + err.Error()
	}
	return before + ", then " + read(500*time.Millisecond)
}

// dropStatCols are the show stat columns a silent-drop moves.
var dropStatCols = []string{"dreq", "dresp", "dcon", "dses", "eresp", "stot", "req_tot", "hrsp_2xx", "hrsp_other"}

// statRows reads the FRONTEND and BACKEND rows of a show stat dump.
func statRows(stat string) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, r := range showStatRows(stat) {
		if sv := r["svname"]; sv == "FRONTEND" || sv == "BACKEND" {
			out[sv] = r.ints()
		}
	}
	return out
}

// compareDropStats compares the counters a silent-drop moves in HAProxy's
// show stat (first frontend and backend rows), less what they were
// before (base: the readiness probe), with goha's.
func compareDropStats(t *testing.T, base, stat string, px *proxy.Proxy) {
	t.Helper()
	before, after := statRows(base), statRows(stat)
	fe, be := px.Frontends()[0].Stats, px.Backends()[0].Stats
	rows := map[string]map[string]int64{
		"FRONTEND": {"dreq": fe.DeniedReq, "dresp": fe.DeniedResp, "dcon": fe.DeniedConn, "dses": fe.DeniedSess, "stot": fe.Sessions,
			"req_tot": fe.Requests, "hrsp_2xx": fe.HRsp2xx, "hrsp_other": fe.HRspOther},
		"BACKEND": {"dreq": be.DeniedReq, "dresp": be.DeniedResp, "eresp": be.RespErrors, "stot": be.Sessions,
			"hrsp_2xx": be.HRsp2xx, "hrsp_other": be.HRspOther},
	}
	if len(after) != 2 {
		t.Fatalf("show stat rows: %q", stat)
	}
	for row, got := range rows {
		for _, col := range dropStatCols {
			g, ok := got[col]
			if !ok {
				continue
			}
			if w := after[row][col] - before[row][col]; w != g {
				t.Errorf("%s %s: haproxy %d, goha %d", row, col, w, g)
			}
		}
	}
}

// observeBoth sends req to HAProxy (ha) and goha at the same time and
// returns what each client saw (silentObserve), HAProxy's first.
func observeBoth(t *testing.T, ha, goha, req string) (want, got string) {
	done := make(chan struct{})
	go func() { want = silentObserve(t, ha, req); close(done) }()
	got = silentObserve(t, goha, req)
	<-done
	return want, got
}

// TestSilentDropRulesDifferential: silent-drop in tcp-request connection,
// session and content rules (tcp and http mode) and in http-response
// rules, beside HAProxy 2.6: what the client sees (nothing; as root the
// socket goes away without a FIN or a reset, and only bytes sent later
// meet a reset), the log lines (none for connection and session rules)
// and the counters (dreq, not dcon; no session for the early rules).
func TestSilentDropRulesDifferential(t *testing.T) {
	t.Parallel()
	web := webs3(t)[0]
	req := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, tc := range []frontendRuleCase{
		{"connection", "tcp", "tcp-request connection silent-drop if { src 127.0.0.1 }", 0},
		{"session", "tcp", "tcp-request session silent-drop", 0},
		{"content-tcp", "tcp", "tcp-request content silent-drop", 1},
		{"content-http", "http", "tcp-request content silent-drop if { src 127.0.0.1 }", 1},
		{"response", "http", "http-response silent-drop if { status 200 }", 1},
	} {
		t.Run(tc.name, func(t *testing.T) { runFrontendRuleCase(t, web, req, tc, nil) })
	}
}
