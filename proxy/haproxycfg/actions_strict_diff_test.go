package haproxycfg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestStrictModeDifferential: a set-header whose field does not fit in
// the request's buffer fails; in strict mode (the default, or after
// strict-mode on) the request is answered 500 and logged PR, after
// http-request strict-mode off the field is left out and the rules go
// on; each request of a connection starts strict again.
func TestStrictModeDifferential(t *testing.T) {
	t.Parallel()
	cfg := httplogFrontend + `    http-request strict-mode off if { path /off /offon }
    http-request strict-mode on if { path /offon }
    http-request set-header x-copy %[req.hdr(x-a)]
    http-request add-header x-after yes
    http-request return status 200 content-type text/plain lf-string "copy=%[req.hdr(x-copy),length] after=%[req.hdr(x-after)]"
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	get := func(path string, n int) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) + "\r\n\r\n"
	}
	for _, raw := range []string{
		get("/", 100),
		get("/", 8000),
		get("/", 9000),
		get("/off", 9000),
		get("/offon", 9000),
		get("/off", 9000) + get("/", 9000),
		get("/off", 8117) + get("/", 100),
	} {
		label := fmt.Sprintf("%.40q", raw)
		want := sameAnswer(t, label, ha, goha, raw, 400*time.Millisecond)
		if strings.HasPrefix(raw, "GET / HTTP/1.1\r\nHost: h\r\nx-a: "+strings.Repeat("a", 9000)) && !bytes.HasPrefix(want, []byte("HTTP/1.1 500")) {
			t.Errorf("haproxy answered %.60q", want)
		}
		sameLogLines(t, label, haLog, goLog, strings.Count(raw, "GET "))
	}
}

// TestStrictModeRemovedFieldsDifferential: a field a rule removed keeps
// its block in HAProxy's buffer, unused, until the buffer is compacted,
// and its payload stays a hole unless it ended the payloads (a field a
// rule added last): the next field fits or fails by those bytes. Each
// case is sent with the last size that fits in HAProxy and the first that
// fails (beyond it HAProxy 2.6.12 compacts its buffer and its answers
// vary from one run to the next, so no size past the first failure is
// compared). Compared: bytes, log lines, and wrew/eint.
func TestStrictModeRemovedFieldsDifferential(t *testing.T) {
	t.Parallel()
	cfg := httplogFrontend + `    http-request del-header x-b if { path /db }
    http-request set-header x-b 2 if { path /sb }
    http-request add-header x-c 1 if { path /ac }
    http-request del-header x-c if { path /ac }
    http-request add-header x-copy %[req.hdr(x-a)] if { path /copy2 }
    http-request set-header x-copy %[req.hdr(x-a)] if { path /copy2 }
    http-request add-header x-copy %[req.hdr(x-a)] if ! { path /copy2 }
    http-request add-header x-after yes
    http-request return status 200 content-type text/plain lf-string "copy=%[req.hdr(x-copy),length]"
`
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for i, c := range []struct {
		path string
		n    int
	}{{"/db", 8110}, {"/db", 8111}, {"/sb", 8104}, {"/sb", 8105}, {"/ac", 8104}, {"/ac", 8105},
		{"/copy2", 8103}, {"/copy2", 8104}, {"/", 8109}, {"/", 8110}} {
		raw := "GET " + c.path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", c.n) + "\r\nx-b: 1\r\n\r\n"
		label := fmt.Sprintf("%s %d", c.path, c.n)
		want := sameAnswerAtOnce(t, label, ha, goha, raw, 300*time.Millisecond)
		sameLogLines(t, label, haLog, goLog, 1)
		if fail := i%2 == 1; bytes.HasPrefix(want, []byte("HTTP/1.1 500")) != fail {
			t.Errorf("%s %d: haproxy answered %.40q, want a 500: %v", c.path, c.n, want, fail)
		}
	}
	fe := px.Frontends()[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "wrew", fe.WRew}, {"fe/FRONTEND", "eint", fe.EInt}, {"fe/FRONTEND", "hrsp_5xx", fe.HRsp5xx},
	}, nil, true)
}
