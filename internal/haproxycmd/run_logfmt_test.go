package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// fixedResponse is what the backend of the log-format tests answers to
// every request: a known head and body, so that byte counts compare.
const fixedResponse = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Srv: a, b\r\nSet-Cookie: s=1\r\nContent-Type: text/plain\r\n\r\nhello\n"

// chunkedResponse answers a request whose target has "chunk" in it.
const chunkedResponse = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Srv: c\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n"

// startFixedBackend answers every request on a connection with
// fixedResponse, reading heads and Content-Length bodies.
func startFixedBackend(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		for {
			n, chunked := 0, false
			for first := true; ; first = false {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if line == "\r\n" {
					break
				}
				if first {
					chunked = strings.Contains(line, "chunk")
				}
				if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "content-length") {
					fmt.Sscan(strings.TrimSpace(v), &n)
				}
			}
			if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
				return
			}
			if chunked {
				io.WriteString(c, chunkedResponse)
			} else {
				io.WriteString(c, fixedResponse)
			}
		}
	})
}

// sendRaw sends raw on a new connection and reads until the proxy closes
// it (requests say Connection: close), or 8 s.
func sendRaw(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(8 * time.Second)) // a dead server: 3 retries 1 s apart
	io.WriteString(c, raw)
	b, _ := io.ReadAll(c)
	return string(b)
}

// logGlobalExtra are global lines formatLogLines adds (set by a test
// for its run only).
var logGlobalExtra string

// formatLogLines runs bin with one frontend per log-format line of
// formats (each line starts with "F<i> "), sends each request of reqs to
// each frontend and returns the traffic lines, syslog header removed,
// sorted, and the responses the client read, in order.
func formatLogLines(t *testing.T, bin, frontendExtra string, formats, reqs []string) (lines, resps []string) {
	t.Helper()
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	var b strings.Builder
	fmt.Fprintf(&b, "global\n    log %s local2\n%sdefaults\n    mode http\n    log global\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n", syslog.LocalAddr(), logGlobalExtra)
	var binds []string
	for i, f := range formats {
		bind := loopback.FreeAddr(t)
		binds = append(binds, bind)
		// %HU first: the listen probes' lines (<BADREQ>) are left out.
		fmt.Fprintf(&b, "frontend fe%d\n    bind %s\n    log-format \"F%d %%HU %s\"\n%s    default_backend be\n", i, bind, i, f, frontendExtra)
	}
	fmt.Fprintf(&b, "backend be\n    server s1 %s\nbackend dead\n    server s1 %s\n", backend, loopback.DeadAddr(t))
	startWithConfig(t, bin, b.String(), binds...)
	for _, bind := range binds {
		for _, r := range reqs {
			resps = append(resps, sendRaw(t, bind, r))
		}
	}
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	want := len(binds) * len(reqs)
	readSyslog(syslog, func(l string) bool {
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		if strings.HasPrefix(l, "F") && !strings.Contains(l, "<BADREQ>") {
			lines = append(lines, l)
		}
		return len(lines) < want
	})
	sort.Strings(lines)
	return lines, resps
}

// compareFormatLogs runs formats and reqs through haproxy and gohaproxy
// and compares the log lines (after mask) and the responses.
func compareFormatLogs(t *testing.T, frontendExtra string, formats, reqs []string, mask func(string) string) {
	t.Helper()
	hp := testenv.LookPath(t, "haproxy")
	want, wantR := formatLogLines(t, hp, frontendExtra, formats, reqs)
	for _, l := range want {
		t.Logf("haproxy: %s", l)
	}
	got, gotR := formatLogLines(t, gohaproxy, frontendExtra, formats, reqs)
	if len(want) != len(formats)*len(reqs) {
		t.Fatalf("haproxy logged %d lines, want %d: %q", len(want), len(formats)*len(reqs), want)
	}
	if mask == nil {
		mask = func(s string) string { return s }
	}
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = mask(want[i])
		}
		if i < len(got) {
			g = mask(got[i])
		}
		if w != g {
			t.Errorf("log line %d:\n haproxy   %q\n gohaproxy %q", i, w, g)
		}
	}
	for i := range wantR {
		if i < len(gotR) && wantR[i] != gotR[i] {
			t.Errorf("response %d:\n haproxy   %q\n gohaproxy %q", i, wantR[i], gotR[i])
		}
	}
}

// TestLogBytesMatchHAProxy: %B and %U count what HAProxy 2.6 counts, for
// a response with a body, a HEAD, a 404 of the proxy and a request body.
func TestLogBytesMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"HEAD /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"GET /d HTTP/1.0\r\n\r\n",
		"GET /chunk HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /dead HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	extra := "    option forwardfor\n    http-request deny if { path /deny }\n    http-request set-header x-set abc\n" +
		"    http-response set-header x-res 12345\n    http-response del-header set-cookie\n    use_backend dead if { path /dead }\n"
	compareFormatLogs(t, "", []string{"%ST %B %U"}, reqs, nil)
	compareFormatLogs(t, extra, []string{"%ST %B %U"}, reqs, nil)
}

// TestLogSamplesMatchHAProxy: %[...] samples in log-format lines, against
// HAProxy 2.6's lines for the same requests: connection and proxy
// fetches, the status, variables the rules set, constants and
// converters, quoted, empty and missing samples.
func TestLogSamplesMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /dead HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	extra := "    http-request set-var(txn.p) path\n    http-request set-var(req.q) str(rq)\n    http-response set-var(res.s) status,add(1)\n" +
		"    http-request deny deny_status 401 if { path /deny }\n    use_backend dead if { path /dead }\n"
	formats := []string{
		"%[src] %[dst] %[so_id] %[fe_name] %[fe_id] %[be_name] %[be_id] %[status] %[http_first_req]",
		"%[var(txn.p)] %[var(req.q)] %[var(res.s)] %{+Q}[var(txn.p)] %{+Q}[var(txn.none)] %[var(txn.none)] %[str()] %{+Q}[str()]",
		"%[int(5),add(2)] %[str(a b),upper] %{+Q}[str(x y)] %[rand(1)] %[uuid,length] %[method] %[hostname,length] %[src,ipmask(8)]",
		"%{+Q}o %[fe_name] %[str(z)] %ci %{-Q}[be_name]",
	}
	compareFormatLogs(t, extra, formats, reqs, nil)
}

// TestCapturesMatchHAProxy: capture request/response header, declare
// capture with http-request/http-response capture, and what the log
// prints of them (%hr, %hs, %hrl, %hsl, capture.* fetches), against
// HAProxy 2.6's lines: truncation to len, which occurrence is kept, the
// characters encoded.
func TestCapturesMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a?q=1 HTTP/1.1\r\nHost: host.example\r\nX-A: first\r\nX-A: se|c{o}n\"d #x\r\nUser-Agent: agent/1.0 (x)\r\nConnection: close\r\n\r\n",
		"POST /b HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: h\r\nX-A: \r\nConnection: close\r\n\r\n",
	}
	extra := "    capture request header Host len 8\n    capture request header x-a len 40\n    capture request header User-Agent len 64\n" +
		"    capture response header Content-Type len 4\n    capture response header X-Srv len 10\n" +
		"    declare capture request len 6\n    declare capture response len 3\n" +
		"    http-request capture path id 3\n    http-request capture req.hdr(x-a,1) len 3\n    http-response capture status id 2\n"
	formats := []string{
		"%hr %hs",
		"%hrl %hsl",
		"%{+Q}hr %{+Q}hs %{+E}hr",
		"%[capture.req.hdr(0)] %[capture.req.hdr(1)] %[capture.req.hdr(3)] %[capture.req.hdr(4)] %[capture.req.hdr(9)] %[capture.res.hdr(0)] %[capture.res.hdr(2)]",
		"%[capture.req.method] %[capture.req.uri] %[capture.req.ver] %[capture.res.ver]",
	}
	compareFormatLogs(t, extra, formats, reqs, nil)
	// option httplog's line, timers and counts masked: its {...|...}
	compareFormatLogs(t, extra, []string{logfmt.HTTPLogFormat}, reqs[:1], maskLogLine)
}

// TestUniqueIDMatchHAProxy: unique-id-format and %ID, the unique-id
// fetch, %fi/%fp, against HAProxy 2.6's log lines (ports, dates, request
// counters and pids masked).
func TestUniqueIDMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /uid HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	extra := "    unique-id-format \"%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid-%[path]-%[fe_name]\"\n    unique-id-header X-Unique-ID\n" +
		"    http-request set-header x-u %[unique-id] if { path /uid }\n    http-request deny if { path /deny }\n"
	formats := []string{"%ID %fi %{+X}fi %[unique-id,length]", "%{+Q}ID"}
	mask := func(l string) string {
		for _, m := range []struct{ re, with string }{
			// %Ts, %rt (goha runs in this process: its counter goes on
			// from the tests before) and %pid, in hex
			{`_[0-9A-F]{8}_[0-9A-F]{4}:[0-9A-F]{4,}`, "_TS_RT:PID"},
			{`7F000001:[0-9A-F]{4}`, "7F000001:PORT"},
			{` \d\d \z`, " LEN"}, // the length of an id with ports and counters in it
			{` \d\d$`, " LEN"},
		} {
			l = regexp.MustCompile(m.re).ReplaceAllString(l, m.with)
		}
		return l
	}
	compareFormatLogs(t, extra, formats, reqs, mask)
}

// TestGlobalSetVarMatchHAProxy: global set-var and set-var-fmt set proc
// variables once at start, read by the log line and by the rules.
func TestGlobalSetVarMatchHAProxy(t *testing.T) {
	logGlobalExtra = "    set-var proc.a str(abc)\n    set-var proc.b int(3),add(4)\n" +
		"    set-var-fmt proc.c \"x-%[var(proc.a)]-%[var(proc.b),mul(2)]\"\n"
	t.Cleanup(func() { logGlobalExtra = "" })
	reqs := []string{"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"}
	extra := "    http-request set-var(txn.t) var(proc.c),upper\n"
	compareFormatLogs(t, extra, []string{"%[var(proc.a)] %[var(proc.b)] %[var(proc.c)] %[var(txn.t)] %[var(proc.none)]"}, reqs, nil)
}

// TestCaptureCookieMatchHAProxy: the legacy `capture cookie <name> len
// <n>` and what the log prints of it (%CC, %CS, option httplog's line),
// against HAProxy 2.6: the first cookie whose name=value starts with the
// name (a longer name too, spaces around '=' dropped, $ attributes and
// pairs without '=' skipped), cut to len; the server's Set-Cookie; "-"
// for a request the rules answer.
func TestCaptureCookieMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nCookie: a=1; sid=abcdefghijklmnop; s=2\r\nConnection: close\r\n\r\n",
		"GET /b HTTP/1.1\r\nHost: h\r\nCookie: $Version=1; x, s = 3 ; t=4\r\nCookie: s=5\r\nConnection: close\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\ncookie: b=2,sx=\"q;r\"\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nCookie: s=9\r\nConnection: close\r\n\r\n",
		"GET /d HTTP/1.0\r\n\r\n",
		"GET /del HTTP/1.1\r\nHost: h\r\nCookie: s=9\r\nConnection: close\r\n\r\n",
		"GET /set HTTP/1.1\r\nHost: h\r\nCookie: s=9\r\nConnection: close\r\n\r\n",
	}
	extra := "    capture cookie s len 9\n    http-request deny if { path /deny }\n" +
		"    http-request del-header cookie if { path /del }\n    http-request set-header cookie s=set if { path /set }\n"
	compareFormatLogs(t, extra, []string{"%CC %CS", "%{+Q}CC %{+Q}CS"}, reqs, nil)
	compareFormatLogs(t, extra, []string{logfmt.HTTPLogFormat}, reqs[:1], maskLogLine)
}

// TestResponseRepliesLogMatchHAProxy: what the log says of a response an
// http-response deny, return or redirect replaced (status, termination
// state, bytes), against HAProxy 2.6's lines.
func TestResponseRepliesLogMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /d4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /l HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /ok HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	extra := "    http-request set-var(txn.p) path\n" +
		"    http-response deny if { var(txn.p) -m str /d }\n" +
		"    http-response deny deny_status 403 content-type text/plain string no if { var(txn.p) -m str /d4 }\n" +
		"    http-response return status 201 content-type text/plain lf-string ok%[var(txn.p)] if { var(txn.p) -m str /r }\n" +
		"    http-response redirect location /x code 301 if { var(txn.p) -m str /l }\n"
	compareFormatLogs(t, extra, []string{"%ST %ts %tsc %B %U", "%{+Q}r %s %b"}, reqs, nil)
}
