package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// bigHeaderServer answers each request with a field x-a of as many bytes
// as the last part of its path says, and no body (a body's bytes count
// in the room only when they came with the head, which a test cannot
// ensure on both sides).
func bigHeaderServer(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(line)
			if _, err := readHead(r); err != nil {
				return
			}
			n := 10
			if len(f) > 1 {
				if v, err := strconv.Atoi(f[1][strings.LastIndexByte(f[1], '/')+1:]); err == nil {
					n = v
				}
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nx-a: %s\r\nContent-Length: 0\r\n\r\n", strings.Repeat("a", n))
		}
	})
}

const strictResponseCfg = httplogFrontend + `    declare capture response len 12
    http-request set-var(txn.p) path
    http-request set-var(txn.a) req.hdr(x-a)
    http-request return status 200 content-type text/plain lf-string "%[req.hdr(x-a)]" if { path_beg /ret }
    http-response strict-mode off if { var(txn.p) -m beg /off }
    http-response set-header x-copy %[res.hdr(x-a)] if ! { var(txn.p) -m sub after }
    http-response add-header x-after yes
    http-after-response strict-mode off if { var(txn.p) -m sub after/off }
    http-after-response set-header x-acopy %[res.hdr(x-a)] if { var(txn.p) -m sub after }
    http-after-response set-header x-rcopy %[var(txn.a)] if { var(txn.p) -m beg /ret }
    http-after-response capture res.hdr(x-a),length id 0
    http-after-response add-header x-aafter yes
    default_backend be
backend be
    server s1 SRV
`

// TestStrictModeResponseDifferential: http-response and
// http-after-response header rewrites that find no room in the response's
// buffer, beside HAProxy 2.6: in strict mode (the default) the client
// gets the 500 page (through the http-after-response rules) logged PH
// with no response time, or PR for a page the proxy made; after
// strict-mode off the field is left out; http-response strict-mode off
// does not carry over to the http-after-response rules. Compared: the
// bytes, the log lines (with an http-after-response capture), and the
// wrew, eint and hrsp_5xx counters of the frontend, backend and server.
// The sizes 8100 and 8101 are the last that fits and the first that
// does not (the http-after-response add-header is the one failing).
func TestStrictModeResponseDifferential(t *testing.T) {
	t.Parallel()
	cfg := strings.ReplaceAll(strictResponseCfg, "SRV", bigHeaderServer(t))
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, p := range []string{"/100", "/9000", "/8100", "/8101", "/off/9000", "/after/100", "/after/9000",
		"/after/off/9000", "/offafter/9000", "/ret/100", "/ret/9000"} {
		n, _ := strconv.Atoi(p[strings.LastIndexByte(p, '/')+1:])
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("b", n) + "\r\n\r\n"
		want := sameAnswerAtOnce(t, p, ha, goha, raw, 300*time.Millisecond)
		if fail := p == "/9000" || p == "/8101"; fail != bytes.HasPrefix(want, []byte("HTTP/1.1 500")) && (fail || p == "/8100") {
			t.Fatalf("%s: haproxy answered %.60q", p, want) // the test would compare nothing
		}
		if w := sameLogLines(t, p, haLog, goLog, 1)[0]; p == "/100" && !strings.Contains(w, " {100} ") {
			t.Errorf("haproxy logged no capture: %s", w)
		}
	}
	after := haproxytest.StatsCmd(t, sock, "show stat")
	fe, be := px.Frontends()[0].Stats, px.Backends()[0]
	srv := be.Servers[0].Stats
	sameStatDeltas(t, base, after, []statCounter{
		{"fe/FRONTEND", "wrew", fe.WRew}, {"fe/FRONTEND", "eint", fe.EInt}, {"fe/FRONTEND", "hrsp_5xx", fe.HRsp5xx},
		{"be/BACKEND", "wrew", be.Stats.WRew}, {"be/BACKEND", "eint", be.Stats.EInt}, {"be/BACKEND", "hrsp_5xx", be.Stats.HRsp5xx},
		{"be/s1", "wrew", srv.WRew}, {"be/s1", "eint", srv.EInt},
	}, nil, false)
	if allStatRows(after)["fe/FRONTEND"]["wrew"] == 0 {
		t.Errorf("haproxy counted no failed rewrite")
	}
}
