package haproxycfg

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// connFetchValues are set-header values reading the connection, the
// proxies and the process (ports and dates normalised by the caller).
var connFetchValues = []string{
	"%[dst]", "%[dst_port]", "%[so_id]", "%[fe_name]", "%[fe_id]",
	"%[http_first_req]", "%[rand(1)]", "%[rand(100),div(100)]", "%[uuid,length]", "%[uuid(4),bytes(14,1)]",
	"%[uuid,bytes(8,1)]%[uuid,bytes(13,1)]", "%[date]", "%[date(3600000,ms),div(1000)]", "%[date(-10000000,us),div(1000000)]", "%[date(3600),sub(3600)]", "%[dst,ipmask(8)]", "%[src,ipmask(8)]",
	"%[fc_dst_port]", "%[fc_src_port,sub(txn.sp)]", "%[req_proto_http]",
}

// TestConnFetchDifferential: the fetches of the connection, proxies and
// process as set-header values against HAProxy 2.6, with two frontends
// and three backends (ids follow declaration order), on a first and a
// second request of a kept-alive connection.
func TestConnFetchDifferential(t *testing.T) {
	backend := startHeaderEcho(t)
	var b strings.Builder
	b.WriteString(httpHead)
	b.WriteString("backend zero\n    server s1 " + backend + "\n")
	b.WriteString("frontend other\n    default_backend zero\n")
	b.WriteString("frontend fe\n    bind BIND\n    http-request set-var(txn.sp) src_port\n")
	for i, v := range connFetchValues {
		fmt.Fprintf(&b, "    http-request set-header x-f-%03d \"%s\"\n", i, v)
	}
	b.WriteString("    http-response set-header x-r-be %[be_name]/%[be_id]/%[shdr_cnt(content-type)]/%[shdr_cnt]\n")
	b.WriteString("    use_backend two if { path /two }\n    default_backend be\nbackend be\n    server s1 " + backend + "\nbackend two\n    server s1 " + backend + "\n")
	ha, goha := startBoth(t, b.String())
	for _, path := range []string{"/", "/two"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\nGET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want, got := keptAliveBodies(t, ha, req), keptAliveBodies(t, goha, req)
		_, hp, _ := net.SplitHostPort(ha)
		_, gp, _ := net.SplitHostPort(goha)
		want, got = strings.ReplaceAll(want, hp, "PORT"), strings.ReplaceAll(got, gp, "PORT")
		want, got = maskNow(want), maskNow(got)
		if !strings.Contains(want, "=NOW+3600") || !strings.Contains(want, "=NOW-10") {
			t.Errorf("HAProxy's dates were not found near now: %s", want)
		}
		if want != got {
			t.Errorf("%s:\n haproxy\n%s\n goha\n%s", path, want, got)
		}
	}
}

// keptAliveBodies sends raw (several requests) on one connection and
// returns each response's status, x-r-* headers and body.
func keptAliveBodies(t *testing.T, addr, raw string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range exchangeAll(t, addr, raw) {
		fmt.Fprintf(&b, "%d x-r-be=%s\n%s\n", r.Status, r.Headers["x-r-be"], r.Body)
	}
	return b.String()
}

// maskNow replaces the "=<unix seconds>" values within 5 s of now (or of
// now plus or minus the offsets the test's date() calls use) with NOW,
// NOW+3600, NOW-10.
func maskNow(s string) string {
	now := time.Now().Unix()
	return regexp.MustCompile(`=(\d{10})\b`).ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseInt(m[1:], 10, 64)
		for _, off := range []int64{0, 3600, -10} {
			if d := v - now - off; d >= -5 && d <= 5 {
				switch {
				case off > 0:
					return "=NOW+" + strconv.FormatInt(off, 10)
				case off < 0:
					return "=NOW" + strconv.FormatInt(off, 10)
				}
				return "=NOW"
			}
		}
		return m
	})
}

// TestFetchPlaceRefused: a fetch used where HAProxy 2.6 says it "may not
// be reliably used" is refused with HAProxy's words (haproxy -c refuses
// each of these configurations with the same message), and the places
// that have what it needs accept it.
func TestFetchPlaceRefused(t *testing.T) {
	head := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"
	for _, c := range []struct{ rules, want string }{
		{"frontend f\n bind 127.0.0.1:8080\n http-request set-header x %[be_name]\n default_backend b\n",
			"sample fetch <be_name]> may not be reliably used here because it needs 'backend' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n http-request deny if { be_id 3 }\n default_backend b\n",
			"sample fetch <be_id]> may not be reliably used here because it needs 'backend' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n use_backend b if { be_name b }\n default_backend b\n",
			"sample fetch <be_name]> may not be reliably used here because it needs 'backend' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n http-response set-header x %[path]\n default_backend b\n",
			"sample fetch <path]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
		{"frontend f\n bind 127.0.0.1:8080\n http-response set-header x y if { req.hdr(a) b }\n default_backend b\n",
			"sample fetch <req.hdr(a)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
		{"listen f\n bind 127.0.0.1:8080\n http-request set-header x %[be_name]\n server s 127.0.0.1:1\n", ""},
		{"frontend f\n bind 127.0.0.1:8080\n http-response set-header x %[be_name]-%[src]-%[method]\n default_backend b\n", ""},
	} {
		n := notices(buildText(t, head+c.rules+"backend b\n server s 127.0.0.1:1\n"))
		switch {
		case c.want == "" && len(n) != 0:
			t.Errorf("%s: refused: %q", c.rules, n)
		case c.want != "" && (len(n) != 1 || !strings.Contains(n[0], c.want)):
			t.Errorf("%s: notices %q, want %q", c.rules, n, c.want)
		}
	}
}

// resFetchValues are http-response set-header values reading the response.
var resFetchValues = []string{
	"%[res.hdr(x-a)]", "%[res.hdr(x-a,1)]", "%[res.hdr(x-a,-1)]", "%[res.fhdr(x-a)]", "%[res.hdr_cnt(x-a)]",
	"%[res.fhdr_cnt(x-a)]", "%[res.hdr_cnt]", "%[res.hdr(nope)]", "%[res.cook(s)]", "%[res.cook(t)]", "%[res.cook(u)]",
	"%[res.ver]", "%[status]", "%[status,add(1)]", "%[res.hdr(content-length)]", "%[res.fhdr(x-b)]", "%[shdr(x-b)]",
	"%[scook(t)]", "%[res.hdr(x-a),lower]", "%[res.hdr(X-A,2)]",
	"%[res.hdr_names]", "%[res.hdr_names(;:)]", "%[res.hdr_names()]",
}

// resACLKeywords are the ACL keywords of the response (HAProxy's shdr_*
// and scook_* derivatives, resp_ver) tried by TestResponseFetchDifferential,
// some matching resFetchResponse and some not.
var resACLKeywords = []string{
	"shdr(x-a) three", "shdr(x-a) One", "shdr_beg(x-a) On", "shdr_beg(x-a) tw", "shdr_end(x-a) ee", "shdr_sub(x-b) b",
	"shdr_sub(x-b) c", "shdr_len(x-a) 3", "shdr_len(x-a) 9", "shdr_reg(x-a) ^t.o$", "shdr_reg(x-a) ^x", "shdr_dom(x-b) a",
	"shdr_dir(x-a) two", "shdr_beg(x-a) -i on", "scook(s) 3", "scook(s) 1", "scook_beg(t) 2", "scook_end(s) 4",
	"scook_len(s) 1", "scook_sub(u) x", "scook_reg(t) ^[0-9]$", "scook_dom(s) 3", "scook_dir(t) 2", "resp_ver 1.1", "resp_ver 1.0",
}

// resFetchResponse is what the backend of TestResponseFetchDifferential
// answers, whatever the request.
const resFetchResponse = "HTTP/1.1 203 Yes\r\nContent-Length: 2\r\nX-A: One, two\r\nx-a: three\r\nX-B: a, b\r\n" +
	"Set-Cookie: s=1; Path=/\r\nSet-Cookie: t = 2 ;HttpOnly\r\nSet-Cookie: s=3\r\n\r\nok"

// TestResponseFetchDifferential: res.hdr, res.fhdr, res.hdr_cnt,
// res.cook, res.ver and status as http-response set-header values and
// conditions, against HAProxy 2.6: the client must get the same headers.
func TestResponseFetchDifferential(t *testing.T) {
	ln := loopback.Listen(t)
	loopback.ServeEach(t, ln, func(c net.Conn) {
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(buf); err == nil {
			c.Write([]byte(resFetchResponse))
		}
	})
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	for i, v := range resFetchValues {
		fmt.Fprintf(&b, "    http-response set-header x-r-%03d \"%s\"\n", i, v)
	}
	b.WriteString("    http-response set-header x-r-c1 yes if { status 203 } { res.hdr(x-a) -m str two }\n")
	b.WriteString("    http-response set-header x-r-c2 yes if { res.cook(s) 3 } !{ res.ver 1.0 }\n")
	b.WriteString("    http-response set-header x-r-c3 yes if { status 200 }\n")
	for i, k := range resACLKeywords {
		fmt.Fprintf(&b, "    acl k%03d %s\n    http-response set-header x-r-k%03d yes if k%03d\n", i, k, i, i)
	}
	// variables set by either side's rules, read by the response's
	b.WriteString("    http-request set-var(txn.n1) req.hdr_names(|x)\n    http-request set-var(txn.n2) req.hdr_names()\n")
	b.WriteString("    http-response set-header x-r-n \"%[var(txn.n1)]|%[var(txn.n2)]\"\n")
	b.WriteString("    http-request set-var(txn.p) path\n    http-request set-var-fmt(txn.f) \"%[method] %[req.hdr(host)]\"\n")
	b.WriteString("    http-response set-var(txn.s) status,add(1000)\n    http-response set-var-fmt(res.c) \"%[res.hdr_cnt]-%[var(txn.s)]\"\n")
	b.WriteString("    http-response set-header x-r-v \"%[var(txn.p)]|%[var(txn.f)]|%[var(txn.s)]|%[var(res.c)]\"\n")
	b.WriteString("    http-response unset-var(txn.s)\n    http-response set-header x-r-w \"%[var(txn.s)]\"\n")
	b.WriteString("    default_backend be\nbackend be\n    server s1 " + ln.Addr().String() + "\n")
	ha, goha := startBoth(t, b.String())
	req := "GET / HTTP/1.1\r\nHost: h\r\nX-Q: 1\r\nConnection: close\r\nUser-Agent: t\r\n\r\n"
	headers := func(addr string) string {
		out, err := difftest.Exchange(addr, []byte(req), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\r\n") {
			if strings.HasPrefix(strings.ToLower(l), "x-r-") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	want, got := headers(ha), headers(goha)
	if !strings.Contains(want, "x-r-c1: yes") || !strings.Contains(want, "x-r-c2: yes") || !strings.Contains(want, "x-r-v: /|GET h|1203|") ||
		strings.Count(want, "x-r-k") < 8 {
		t.Errorf("HAProxy's conditions did not match: %s", want)
	}
	if want != got {
		t.Errorf("haproxy:\n%s\ngoha:\n%s", want, got)
	}
}

// TestDynamicUseBackendDifferential: use_backend with a log-format name,
// against HAProxy 2.6: an existing backend is used, a name that is no
// backend (or a frontend's) ends the use_backend rules and
// default_backend applies.
func TestDynamicUseBackendDifferential(t *testing.T) {
	b1, b2, b3 := loopback.StartWeb(t, "b1"), loopback.StartWeb(t, "b2"), loopback.StartWeb(t, "b3")
	cfg := httpHead +
		"frontend fe\n    bind BIND\n    use_backend %[req.hdr(x-be)] if { req.hdr(x-be) -m found }\n" +
		"    use_backend b%[req.hdr(x-n),add(1)] if { req.hdr(x-n) -m found }\n" +
		"    use_backend b2 if { path /two }\n    default_backend b1\n" +
		"backend b1\n    server s " + b1.Addr + "\nbackend b2\n    server s " + b2.Addr + "\nbackend b3\n    server s " + b3.Addr + "\n"
	ha, goha := startBoth(t, cfg)
	for _, h := range []string{"x-be: b3", "x-be: nope", "x-be: B3", "x-be: fe", "x-be: b2", "x-n: 2", "x-n: 5", "x-n: x", "x-be:", "x-other: 1"} {
		for _, path := range []string{"/", "/two"} {
			req := "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + h + "\r\nConnection: close\r\n\r\n"
			want, got := exchangeOne(t, ha, req), exchangeOne(t, goha, req)
			if want != got {
				t.Errorf("%s %s: haproxy %q, goha %q", h, path, want, got)
			}
			if (h == "x-be: b3" || h == "x-n: 2") && want != "b3" {
				t.Errorf("%s: HAProxy chose %q, the test expects b3", h, want)
			}
		}
	}
}

// TestUniqueIDHeaderDifferential: unique-id-header as the backend
// receives it (after the rules' fields, before X-Forwarded-For), the
// unique-id fetch in a rule, against HAProxy 2.6.
func TestUniqueIDHeaderDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	for _, mode := range []string{"", "    option http-server-close\n"} {
		uniqueIDHeaders(t, backend, mode)
	}
}

func uniqueIDHeaders(t *testing.T, backend, mode string) {
	cfg := httpHead + mode +
		"frontend fe\n    bind BIND\n    option forwardfor\n    unique-id-format %[src]-%[path]-%[req.hdr(x)]-%[fe_id]\n    unique-id-header X-Req-ID\n" +
		"    http-request set-header x-u %[unique-id] if { path /uid }\n    http-request set-header x-a 1\n    default_backend be\n" +
		"backend be\n    server s1 " + backend + "\n"
	ha, goha := startBoth(t, cfg)
	for _, req := range []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nX: 1\r\nConnection: close\r\n\r\n",
		"GET /uid HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /b HTTP/1.0\r\nX-Req-ID: client\r\n\r\n",
	} {
		want, got := exchangeOne(t, ha, req), exchangeOne(t, goha, req)
		if !strings.Contains(strings.ToLower(want), "x-req-id: 127.0.0.1-/") {
			t.Errorf("HAProxy sent no unique-id: %q", want)
		}
		if want != got {
			t.Errorf("%q:\n haproxy %q\n goha    %q", req, want, got)
		}
	}
}

// TestSetPathFormatDifferential: set-path with a log-format value, read
// by the rules after it, against HAProxy 2.6 (the request head the
// backend receives).
func TestSetPathFormatDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	cfg := httpHead +
		"frontend fe\n    bind BIND\n    http-request set-path /v2%[path] if { path_beg /api }\n" +
		"    http-request set-path %[req.hdr(x-p)] if { req.hdr(x-p) -m found }\n" +
		"    http-request set-path %[path,lower]/%[query,length] if { path_end /L }\n" +
		"    http-request set-header x-f-p %[path]\n    default_backend be\nbackend be\n    server s1 " + backend + "\n"
	ha, goha := startBoth(t, cfg)
	for _, req := range []string{
		"GET /api/x?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nX-P: /from/hdr\r\nConnection: close\r\n\r\n",
		"GET /a?b HTTP/1.1\r\nHost: h\r\nX-P:\r\nConnection: close\r\n\r\n",
		"GET /Up/L?abc HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET http://h/api?z HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		want, got := exchangeOne(t, ha, req), exchangeOne(t, goha, req)
		if want != got {
			t.Errorf("%q:\n haproxy %q\n goha    %q", req, want, got)
		}
	}
	if want := exchangeOne(t, ha, "GET /api/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(want, "GET /v2/api/x ") {
		t.Errorf("HAProxy did not rewrite the path: %q", want)
	}
}

// TestGlobalSetVarRefused: a global set-var outside the proc scope is
// refused with HAProxy 2.6's message; one reading the connection or the
// request is refused (HAProxy refuses it too).
func TestGlobalSetVarRefused(t *testing.T) {
	tail := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend f\n bind 127.0.0.1:8080\n default_backend b\nbackend b\n server s 127.0.0.1:1\n"
	res := haproxy.CheckBytes("test.cfg", []byte("global\n set-var txn.a str(abc)\n"+tail), func(string) (string, bool) { return "", false })
	var texts []string
	for _, d := range res.Diags.List {
		texts = append(texts, d.Text)
	}
	if want := "'set-var': cannot set variable 'txn.a', only scope 'proc' is permitted in the global section."; res.Exit != 1 || !strings.Contains(strings.Join(texts, "\n"), want) {
		t.Errorf("txn scope: exit %d %q, want %q", res.Exit, texts, want)
	}
	for _, line := range []string{" set-var proc.e src\n", " set-var-fmt proc.e \"%[req.hdr(x)]\"\n"} {
		if n := notices(buildText(t, "global\n"+line+tail)); len(n) != 1 || !strings.Contains(n[0], "has no value in the global section") {
			t.Errorf("%s: notices %q", line, n)
		}
	}
	p := buildText(t, "global\n set-var proc.a str(abc)\n set-var-fmt proc.b \"%[var(proc.a)]-%[env(HOME)]\"\n"+tail)
	if n := notices(p); len(n) != 0 || len(p.ProcVars) != 2 {
		t.Errorf("accepted lines: notices %q, %d setters", n, len(p.ProcVars))
	}
}
