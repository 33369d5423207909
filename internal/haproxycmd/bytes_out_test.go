package haproxycmd

import (
	"fmt"
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

// TestBytesOutMatchHAProxy: %B and the bout of `show stat` (frontend,
// backends, servers) count what HAProxy 2.6 counts for a compressed
// response (its size before compression, content-length and chunked
// with trailers), the built-in 400, 408, 403 and 503 pages of deny rules
// and of a dead server (the 400 and 408 count their "Connection: close"
// field), a strict normalize-uri's 400, the 408 of a wait-for-body that
// ran out of time, errorfiles with a Connection
// field (counted, not sent) and an http reply with "hdr Connection
// close" (counted, and the connection closes); a tracked entry's
// bytes_out_cnt adds the same figures. The bytes the client
// gets are compared too (the bodies of compressed answers differ by
// design: libslz's and Go's).
func TestBytesOutMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	e403 := filepath.Join(dir, "403.http")
	e404 := filepath.Join(dir, "404.http")
	os.WriteFile(e403, []byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\nConnection: close\r\nX-A: b\r\n\r\nno\n"), 0o600)
	os.WriteFile(e404, []byte("HTTP/1.1 404 NF\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nno\n"), 0o600)
	get := func(path, hdrs string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + hdrs + "Connection: close\r\n\r\n"
	}
	reqs := []string{
		get("/a", "Accept-Encoding: gzip\r\n"),
		get("/chunk", "Accept-Encoding: gzip\r\n"),
		get("/a", ""),
		get("/chunk", ""),
		get("/d400", ""),
		get("/d408", ""),
		get("/d403", ""),
		get("/d503", ""),
		get("/e403", ""),
		get("/e404", ""),
		"GET /e404 HTTP/1.0\r\n\r\n",
		get("/ret", ""),
		"GET /ret HTTP/1.1\r\nHost: h\r\n\r\n", // closed by the reply's own Connection field
		get("/bad%zz", ""),
		"POST /wb HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc", // 408 after wait-for-body
		get("/dead", ""),
	}
	extra := "    stick-table type ip size 10 store bytes_out_cnt\n    http-request track-sc0 src\n" +
		"    compression algo gzip\n" +
		"    errorfile 403 " + e403 + "\n    errorfile 404 " + e404 + "\n" +
		"    http-request normalize-uri percent-decode-unreserved strict\n" +
		"    http-request deny deny_status 400 if { path /d400 }\n" +
		"    http-request deny deny_status 408 if { path /d408 }\n" +
		"    http-request deny deny_status 403 if { path /d403 }\n" +
		"    http-request deny deny_status 503 if { path /d503 }\n" +
		"    http-request deny if { path /e403 }\n" +
		"    http-request deny deny_status 404 if { path /e404 }\n" +
		"    http-request return status 200 content-type text/plain hdr Connection close hdr X-B c string ok if { path /ret }\n" +
		"    http-request wait-for-body time 1s if { path /wb }\n" +
		"    use_backend dead if { path /dead }\n"
	t.Cleanup(func() { logGlobalExtra = "" })
	run := func(bin, name string) (lines, resps []string, stat, table string) {
		sock := filepath.Join(dir, name+".sock")
		logGlobalExtra = "    expose-experimental-directives\n    stats socket " + sock + "\n"
		lines, resps = formatLogLines(t, bin, extra, []string{"%ST %B"}, reqs)
		return lines, resps, haproxytest.StatsCmd(t, sock, "show stat"), haproxytest.StatsCmd(t, sock, "show table fe0")
	}
	want, wantR, wantStat, wantTable := run(hp, "haproxy")
	got, gotR, gotStat, gotTable := run(gohaproxy, "goha")
	// the tracked entry's bytes_out_cnt (the requests' sum of %B)
	cnt := regexp.MustCompile(`bytes_out_cnt=\d+`)
	w, g := cnt.FindString(wantTable), cnt.FindString(gotTable)
	t.Logf("show table: haproxy %s, goha %s", w, g)
	if w == "" || w != g {
		t.Errorf("show table:\n haproxy   %q\n gohaproxy %q", wantTable, gotTable)
	}
	for _, l := range want {
		t.Logf("haproxy: %s", l)
	}
	if len(want) != len(reqs) {
		t.Fatalf("haproxy logged %d lines, want %d: %q", len(want), len(reqs), want)
	}
	for i := range max(len(want), len(got)) {
		if i >= len(want) || i >= len(got) || want[i] != got[i] {
			t.Errorf("log lines:\n haproxy   %q\n gohaproxy %q", want, got)
			break
		}
	}
	for i := range wantR {
		w, g := wantR[i], gotR[i]
		if strings.Contains(reqs[i], "gzip") {
			// compressed: the heads only
			w, _, _ = strings.Cut(w, "\r\n\r\n")
			g, _, _ = strings.Cut(g, "\r\n\r\n")
		}
		if w != g {
			t.Errorf("response to %q:\n haproxy   %q\n gohaproxy %q", reqs[i], w, g)
		}
	}
	wb, gb := boutRows(t, wantStat), boutRows(t, gotStat)
	for _, row := range []string{"fe0/FRONTEND", "be/s1", "be/BACKEND", "dead/s1", "dead/BACKEND"} {
		t.Logf("%s bout: haproxy %s, goha %s", row, wb[row], gb[row])
		if wb[row] == "" || wb[row] != gb[row] {
			t.Errorf("%s bout: haproxy %q, goha %q", row, wb[row], gb[row])
		}
	}
}

// boutRows maps each "pxname/svname" row of a `show stat` output to its
// bout.
func boutRows(t *testing.T, stat string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stat), "\n")
	col := -1
	for i, c := range strings.Split(strings.TrimPrefix(lines[0], "# "), ",") {
		if c == "bout" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no bout column: %q", lines[0])
	}
	out := map[string]string{}
	for _, l := range lines[1:] {
		if f := strings.Split(l, ","); len(f) > col {
			out[f[0]+"/"+f[1]] = f[col]
		}
	}
	return out
}

const boutRulesCfg = `global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    http-request deny if { path /fd }
    http-request return status 200 content-type text/plain string ok if { path /fr }
    default_backend be
backend be
    server s1 %s
listen li
    bind %s
    http-request deny deny_status 400 if { path /ld }
    http-request return status 200 content-type text/plain string ok if { path /lr }
    server s1 %s
`

// TestBytesOutRulesMatchHAProxy: the answers of a listen section's rules
// count in its BACKEND row's bout too, a frontend's in the frontend's
// only (HAProxy's stream has the proxy as its backend until one is
// chosen).
func TestBytesOutRulesMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	web := startFixedBackend(t)
	rows := map[string]map[string]string{}
	socks := map[string]string{}
	for _, bin := range []string{hp, gohaproxy} {
		sock := filepath.Join(t.TempDir(), "s.sock")
		fe, li := loopback.FreeAddr(t), loopback.FreeAddr(t)
		startWithConfig(t, bin, fmt.Sprintf(boutRulesCfg, sock, fe, web, li, web), fe, li)
		for _, r := range []struct{ addr, path string }{{fe, "/fd"}, {fe, "/fr"}, {fe, "/ok"}, {li, "/ld"}, {li, "/lr"}, {li, "/ok"}} {
			sendRaw(t, r.addr, "GET "+r.path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		}
		socks[bin] = sock
	}
	// Each daemon adds a stream's bytes to bout when the stream ends, which
	// can come after the client read the closed answer: the rows are read
	// again (bounded) while the two differ.
	rowNames := []string{"fe/FRONTEND", "be/BACKEND", "be/s1", "li/FRONTEND", "li/BACKEND", "li/s1"}
	untilSame(func() bool {
		for _, bin := range []string{hp, gohaproxy} {
			rows[bin] = boutRows(t, haproxytest.StatsCmd(t, socks[bin], "show stat"))
		}
		for _, row := range rowNames {
			if rows[hp][row] != rows[gohaproxy][row] {
				return false
			}
		}
		return true
	})
	for _, row := range rowNames {
		w, g := rows[hp][row], rows[gohaproxy][row]
		t.Logf("%s bout: haproxy %s, goha %s", row, w, g)
		if w == "" || w != g {
			t.Errorf("%s bout: haproxy %q, goha %q", row, w, g)
		}
	}
}

// untilSame calls read every 50 ms until it says both daemons' figures
// agree or 3 s passed: figures a stream's end updates may lag the
// client's last read. The caller compares what read left.
func untilSame(read func() bool) {
	for deadline := time.Now().Add(3 * time.Second); !read() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
}
