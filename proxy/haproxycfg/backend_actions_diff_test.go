package haproxycfg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// backendActionsCfg: a backend's http-request and http-response rules
// using the actions a backend runs beside the header and answer ones:
// capture by id into the frontend's slots (one it lacks: nothing), the
// address setters, normalize-uri, wait-for-body, set-tos, map and acl
// updates read back, early-hint, reject, silent-drop, disable-l7-retry,
// the priority setters, response captures, set-log-level, set-var-fmt,
// silent-drop and wait-for-body on the response; and its tcp-request
// content rules (variable, set-src, set-log-level, set-priority-class,
// set-tos, silent-drop), and an http-after-response capture by id.
// A second backend rejects.
const backendActionsCfg = `global
    log LOG local0
    expose-experimental-directives
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    declare capture request len 4
    capture request header host len 10
    declare capture response len 6
    http-request set-var(txn.p) path
    http-request wait-for-body time 300ms if { path /fwfb }
    use_backend be2 if { path_beg /fe2 }
    default_backend be
backend be
    tcp-request content set-var(txn.tv) str(tv)
    tcp-request content set-src hdr(x-tsrc) if { hdr(x-tsrc) -m found }
    tcp-request content set-log-level err if { path /tc/ll }
    tcp-request content set-priority-class int(3) if { path /tc/prio }
    tcp-request content set-tos 0 if { path /tc/tos }
    tcp-request content silent-drop if { path /tc/drop }
    http-request set-header x-tv %[var(txn.tv)]
    http-request capture req.hdr(x-cap) id 0
    http-request capture req.hdr(x-cap2) id 1 if { hdr(x-cap2) -m found }
    http-request capture str(never) id 7
    http-request set-src hdr(x-src) if { hdr(x-src) -m found }
    http-request set-src-port int(4242) if { path /srcport }
    http-request set-dst ipv4(127.0.0.9) if { path /dst }
    http-request set-dst-port int(81) if { path /dst }
    http-request set-header x-src %[src]
    http-request set-header x-sport %[src_port] if { path /srcport }
    http-request set-header x-dst %[dst]:%[dst_port] if { path /dst }
    http-request normalize-uri path-merge-slashes
    http-request normalize-uri path-strip-dotdot if { path_beg /n/ }
    http-request wait-for-body time 300ms at-least 4 if { path_beg /wfb }
    http-request set-header x-body %[req.body] if { path_beg /wfb }
    http-request set-tos 0 if { path /tos }
    http-request set-map(MAPFILE) %[hdr(x-k)] %[hdr(x-v)] if { hdr(x-k) -m found }
    http-request del-map(MAPFILE) %[hdr(x-dk)] if { hdr(x-dk) -m found }
    http-request add-acl(ACLFILE) %[hdr(x-acl)] if { hdr(x-acl) -m found }
    http-request del-acl(ACLFILE) %[hdr(x-dacl)] if { hdr(x-dacl) -m found }
    http-request set-header x-map %[hdr(x-q),map(MAPFILE,none)]
    http-request set-header x-inacl yes if { hdr(x-q) -f ACLFILE }
    http-request early-hint link "</s.css>; rel=preload" if { path /hint }
    http-request early-hint x-e %[path] if { path /hint }
    http-request reject if { path /reject }
    http-request silent-drop if { path /drop }
    http-request disable-l7-retry
    http-request set-priority-class int(5) if { path /prio }
    http-request set-priority-offset int(-20) if { path /prio }
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    http-response capture res.hdr(content-length) id 0
    http-response capture str(nope) id 3
    http-response set-log-level err if { var(txn.p) -m str /rll }
    http-response set-log-level silent if { var(txn.p) -m str /rsilent }
    http-response set-var-fmt(txn.rv) "r-%[status]-%[var(txn.p)]"
    http-response set-header x-rv %[var(txn.rv)]
    http-response wait-for-body time 1s if { var(txn.p) -m str /rwfb }
    http-response set-header x-rbody-len %[res.body_len] if { var(txn.p) -m str /rwfb }
    http-response set-tos 0 if { var(txn.p) -m str /rtos }
    http-response set-map(MAPFILE) resp %[status] if { var(txn.p) -m str /rmap }
    http-response silent-drop if { var(txn.p) -m str /rdrop }
    http-after-response capture str(after) id 0 if { var(txn.p) -m str /acap }
    server s1 REC
backend be2
    http-request reject if { path /fe2/reject }
    http-request set-header x-map %[hdr(x-q),map(MAPFILE,none)]
    server s1 REC
`

// backendActionsConfig is backendActionsCfg with its map and acl files in
// dir (the same files for both daemons: each keeps its own copy in
// memory) and a recording server.
func backendActionsConfig(t *testing.T, dir string) string {
	mapf, aclf := filepath.Join(dir, "m.map"), filepath.Join(dir, "a.acl")
	if err := os.WriteFile(mapf, []byte("k0 v0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(aclf, []byte("a0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("REC", startHeadRecorder(t), "MAPFILE", mapf, "ACLFILE", aclf).Replace(backendActionsCfg)
}

// TestBackendActionsDifferential: the actions above in a backend, beside
// HAProxy 2.6.12, in order over one sequence of requests (the map and acl
// updates of one request are read by the next): the bytes the client
// receives (the recording server echoes the request head it got), how the
// connection ends, the log lines (captures, levels, termination states),
// and the frontends' and backends' show stat counters.
func TestBackendActionsDifferential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := backendActionsConfig(t, dir)
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	type step struct {
		raw  string
		logs int
	}
	get := func(path, hdrs string) step {
		return step{"GET " + path + " HTTP/1.1\r\nHost: h\r\n" + hdrs + "Connection: close\r\n\r\n", 1}
	}
	steps := []step{
		get("/", "X-Cap: abcdefgh\r\n"),
		get("/", "X-Cap: x\r\nX-Cap2: replaces-host\r\n"),
		get("/", "X-Src: 127.0.0.77\r\n"),
		get("/srcport", ""),
		get("/dst", ""),
		get("//a//b/../c", ""),
		get("/n/a/../b", ""),
		{"POST /wfb HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabcdef", 1},
		{"POST /wfb2 HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nConnection: close\r\n\r\nab", 1},
		{"POST /fwfb HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nConnection: close\r\n\r\nab", 1},
		get("/tos", ""),
		get("/", "X-K: k1\r\nX-V: v1\r\nX-Q: k1\r\n"),
		get("/", "X-Q: k1\r\n"),
		get("/", "X-DK: k0\r\nX-Q: k0\r\n"),
		get("/", "X-Acl: a1\r\n"),
		get("/", "X-Q: a1\r\n"),
		get("/", "X-Dacl: a0\r\nX-Q: a0\r\n"),
		get("/hint", ""),
		{"GET /hint HTTP/1.0\r\n\r\n", 1},
		get("/reject", "X-Cap: rj\r\n"),
		get("/drop", ""),
		get("/prio", ""),
		get("/rll", ""),
		get("/rsilent", ""),
		get("/rwfb", ""),
		get("/rtos", ""),
		get("/rmap", ""),
		get("/", "X-Q: resp\r\n"),
		get("/rdrop", ""),
		get("/fe2/reject", ""),
		get("/fe2", "X-Q: k1\r\n"),
		get("/acap", ""),
		get("/tc/ll", ""),
		get("/tc/prio", ""),
		get("/", "X-Tsrc: 127.0.0.55\r\n"),
		get("/tc/tos", ""),
		get("/tc/drop", ""),
	}
	for _, st := range steps {
		label := fmt.Sprintf("%q", st.raw)
		sameAnswer(t, label, ha, goha, st.raw, 400*time.Millisecond)
		if !strings.Contains(st.raw, "/rsilent") {
			lines := sameLogLines(t, label, haLog, goLog, st.logs)
			if strings.Contains(st.raw, "/acap") && (len(lines) != 1 || !strings.Contains(lines[0], "{after}")) {
				t.Errorf("haproxy logged %q: not the http-after-response capture", lines)
			}
		}
	}
	fe, be, be2 := px.Frontends()[0].Stats, px.Backends()[0].Stats, px.Backends()[1].Stats
	counters := statCols("fe/FRONTEND", fe, "dreq", "dresp", "req_tot", "hrsp_2xx", "hrsp_4xx", "hrsp_other", "ereq", "stot")
	counters = append(counters, statCols("be/BACKEND", be, "dreq", "dresp", "hrsp_2xx", "hrsp_4xx", "hrsp_other", "req_tot", "stot")...)
	counters = append(counters, statCols("be2/BACKEND", be2, "dreq", "hrsp_other", "hrsp_2xx")...)
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), counters, nil, false)
}

// TestBackendActionsH2Refused: a backend's actions that act on the
// client's connection all run when a frontend may speak HTTP/2: reject
// (it ends an HTTP/2 client's connection: TestBackendRulesH2Differential),
// silent-drop (TestH2SilentDropDifferential), set-tos and set-mark (on
// the connection's socket: TestSetMarkTOSH2Differential) and early-hint
// (a 103 HEADERS: TestEarlyHintH2Differential).
func TestBackendActionsH2Refused(t *testing.T) {
	for _, rule := range []string{"http-request reject", "http-request silent-drop", "http-request set-tos 4",
		"http-request set-mark 1", "http-request early-hint link x", "http-response set-tos 4", "http-response silent-drop"} {
		for _, bind := range []string{"bind 127.0.0.1:8080", "bind 127.0.0.1:8080 proto h2"} {
			cfg := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
				"frontend fe\n    " + bind + "\n    default_backend be\nbackend be\n    " + rule + "\n    server s 127.0.0.1:9\n"
			if n := notices(buildText(t, cfg)); len(n) != 0 {
				t.Errorf("%s, %s: notices %q", rule, bind, n)
			}
		}
	}
}

// TestBackendDropH2Differential: a backend's http-request reject on an
// HTTP/2 client's stream, beside HAProxy 2.6.12: the stream reset, the log
// lines alike, and a new connection served (its silent-drop:
// TestH2SilentDropDifferential).
func TestBackendDropH2Differential(t *testing.T) {
	cfg := strings.Replace(httplogFrontend, "bind BIND\n", "bind BIND proto h2\n", 1) + `    default_backend be
backend be
    http-request reject if { path /reject }
    server s1 REC
`
	ha, goha, haLog, goLog := startBothLogged(t, strings.ReplaceAll(cfg, "REC", startHeadRecorder(t)))
	get := func(addr, path string) string {
		tr := h2cTransport(addr)
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 2 * time.Second}).Get("http://" + addr + path)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
				return "timeout"
			}
			return "error: " + strings.ReplaceAll(err.Error(), addr, "ADDR")
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Status
	}
	for _, path := range []string{"/reject", "/"} {
		want, got := get(ha, path), get(goha, path)
		if want != got {
			t.Errorf("%s: haproxy %q, goha %q", path, want, got)
		}
		if path == "/reject" && !strings.Contains(want, "ENHANCE_YOUR_CALM") {
			t.Errorf("%s: haproxy %q: not the stream reset the test expects", path, want)
		}
		w := strings.ReplaceAll(nextLine(t, haLog, "haproxy"), ha, "ADDR")
		g := strings.ReplaceAll(nextLine(t, goLog, "goha"), goha, "ADDR")
		if w != g {
			t.Errorf("%s: log\nhaproxy: %s\ngoha:    %s", path, w, g)
		}
	}
}
