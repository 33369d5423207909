package haproxycfg

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// exchangeFrom sends raw on a new connection from src (""= any) and
// returns the bytes read until the peer closes or nothing arrives for
// idle, and how the connection ended: "open", "closed" or "reset".
func exchangeFrom(t *testing.T, src, addr, raw string, idle time.Duration) ([]byte, string) {
	t.Helper()
	d := net.Dialer{Timeout: 2 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	c, err := d.Dial("tcp", addr)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil, "reset" // reset before connect(2) returned
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(raw)); errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return nil, "reset" // reset before the request could be sent
	}
	var out bytes.Buffer
	buf := make([]byte, 8192)
	for {
		c.SetReadDeadline(time.Now().Add(idle))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		switch {
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			return out.Bytes(), "open"
		case errors.Is(err, syscall.ECONNRESET):
			return out.Bytes(), "reset"
		}
		return out.Bytes(), "closed"
	}
}

// TestRequestActionsDifferential: http-request deny/return/redirect/allow/
// tarpit and legacy redirect through the real HAProxy and wire+proxy on the same
// configuration; each connection's bytes must be equal, and so must how it
// ends (kept open, closed).
func TestRequestActionsDifferential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ef := filepath.Join(dir, "ef.http")
	os.WriteFile(ef, []byte("HTTP/1.0 403 Nope\r\nX-Mixed-Case: v\r\nContent-Length: 3\r\n\r\nef\n"), 0o644)
	page := filepath.Join(dir, "page.html")
	os.WriteFile(page, []byte("<b>f</b>\n"), 0o644)
	w := webs3(t)
	cfg := httpHead + `    timeout tarpit 200ms
frontend fe
    bind BIND
    http-request set-header X-Goha before
    http-request tarpit if { path /t }
    http-request tarpit deny_status 404 content-type text/plain string x if { path /ts }
    http-request allow if { path /allow }
    http-request deny deny_status 404 if { path /d404 }
    http-request deny deny_status 429 if { path /d429 }
    http-request deny deny_status 400 if { path /d400 }
    http-request deny deny_status 200 if { path /d200 }
    http-request deny status 401 content-type text/plain string "nope" hdr X-A "a b" hdr x-b c if { path /dstr }
    http-request deny content-type text/plain if { path /dct }
    http-request deny hdr x-h v if { path /dhdr }
    http-request deny if { path /d }
    http-request return status 204 if { path /r204 }
    http-request return if { path /r }
    http-request return status 418 if { path /r418 }
    http-request return status 299 content-type a/b string x if { path /r299 }
    http-request return status 200 content-type "text/plain" string "hello" hdr X-Y z if { path /rs }
    http-request return status 200 content-type text/html file ` + page + ` if { path /rf }
    http-request return errorfile ` + ef + ` if { path /ref }
    http-request redirect scheme https code 301 if { path_beg /s1 }
    http-request redirect scheme https drop-query append-slash if { path_beg /s2 }
    http-request redirect location /new if { path /l }
    http-request redirect location /q?x=1 code 307 append-slash if { path /l7 }
    http-request redirect prefix /p drop-query append-slash set-cookie A=1 if { path_beg /x }
    http-request redirect prefix https://ex.com code 308 clear-cookie B if { path_beg /y }
    http-request redirect prefix / code 303 if { path_beg /self }
    http-request set-header X-Goha after
    redirect location /legacy if { path /allow } { hdr(x-legacy) 1 }
    redirect prefix / if { path_beg /lp }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha := startBoth(t, cfg)
	conns := [][]string{
		{"GET /d404 HTTP/1.1\r\nHost: h\r\n\r\n", "GET /d429 HTTP/1.1\r\nHost: h\r\n\r\n", "GET /d200 HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /dstr HTTP/1.1\r\nHost: h\r\n\r\n", "GET /dct HTTP/1.1\r\nHost: h\r\n\r\n", "GET /dhdr HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /d HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"GET /d400 HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"GET /r204 HTTP/1.1\r\nHost: h\r\n\r\n", "GET /r HTTP/1.1\r\nHost: h\r\n\r\n", "GET /r418 HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /r299 HTTP/1.1\r\nHost: h\r\n\r\n", "GET /rs HTTP/1.1\r\nHost: h\r\n\r\n", "GET /rf HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /ref HTTP/1.1\r\nHost: h\r\n\r\n", "POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde"},
		{"GET /s1/a?b=1 HTTP/1.1\r\nHost: h.example:81\r\n\r\n", "GET /s2/a?b=1 HTTP/1.1\r\nHost: h.example\r\n\r\n",
			"GET /s1 HTTP/1.1\r\n\r\n", "GET /l HTTP/1.1\r\nHost: h\r\n\r\n", "GET /l7 HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /x/a?q=1 HTTP/1.1\r\nHost: h\r\n\r\n", "GET /x/a/ HTTP/1.1\r\nHost: h\r\n\r\n", "GET /y/z?k HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /self/a HTTP/1.1\r\nHost: h\r\n\r\n", "GET /lp/b?c HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /allow HTTP/1.1\r\nHost: h\r\nX-Legacy: 1\r\n\r\n"},
		{"GET /d HTTP/1.0\r\n\r\n"},
		{"GET /t HTTP/1.1\r\nHost: h\r\n\r\n", "GET /ts HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"GET /r HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET /ref HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
		{"GET /l HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"POST /l HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"},
		{"POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"},
	}
	for _, reqs := range conns {
		raw := strings.Join(reqs, "")
		idle := 300 * time.Millisecond
		if strings.HasPrefix(raw, "GET /t ") {
			idle = time.Second // past the tarpit's 200ms on a loaded machine
		}
		want, wantEnd := exchangeFrom(t, "", ha, raw, idle)
		start := time.Now()
		got, gotEnd := exchangeFrom(t, "", goha, raw, idle)
		if strings.HasPrefix(raw, "GET /t ") && time.Since(start) < 2*200*time.Millisecond {
			t.Errorf("two tarpitted requests answered in %v, want >= 400ms", time.Since(start))
		}
		if !bytes.Equal(want, got) || wantEnd != gotEnd {
			t.Errorf("%q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", raw, wantEnd, want, gotEnd, got)
		}
	}

	// allow: the request goes to the server, and the header rules after
	// the allow do not apply.
	for _, addr := range []string{ha, goha} {
		out, err := difftest.Exchange(addr, []byte("GET /allow HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := difftest.ParseAll(out)
		if err != nil || len(rs) != 1 || rs[0].Status != 200 || rs[0].Headers["x-seen-x-goha"] != "before" {
			t.Errorf("%s: allow answered %+v (%v)", addr, rs, err)
		}
	}
}

// TestTCPConnectionRulesDifferential: tcp-request connection accept/reject
// on src. A rejected connection gets a reset and not a byte, in both.
func TestTCPConnectionRulesDifferential(t *testing.T) {
	w := webs3(t)
	cfg := httpHead + `frontend fe
    bind BIND
    acl two src 127.0.0.2
    tcp-request connection accept if two
    tcp-request connection reject if { src 127.0.0.0/8 }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha := startBoth(t, cfg)
	for _, src := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		raw := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want, wantEnd := exchangeFrom(t, src, ha, raw, time.Second)
		got, gotEnd := exchangeFrom(t, src, goha, raw, time.Second)
		if wantEnd != gotEnd || (len(want) == 0) != (len(got) == 0) {
			t.Errorf("from %s: haproxy %s %q, goha %s %q", src, wantEnd, want, gotEnd, got)
		}
		if src != "127.0.0.2" && (wantEnd != "reset" || len(want) != 0) {
			t.Errorf("from %s: haproxy %s %q, want a reset without a byte", src, wantEnd, want)
		}
	}
}

// TestSetPathDifferential: set-path rewrites the path (query kept, an
// absolute URI keeps its authority); the rules after it, use_backend and
// the server see the new path, the rules before it the old one.
func TestSetPathDifferential(t *testing.T) {
	w := webs3(t)
	cfg := httpHead + `frontend fe
    bind BIND
    http-request set-header X-Goha old if { path /old }
    http-request set-path /new if { path /old }
    http-request set-header X-Tag new if { path /new }
    http-request set-path /api/v2 if { path_beg /v1 }
    http-request set-path /twice if { path /api/v2 } { url_param(t) 1 }
    use_backend api if { path_beg /api }
    default_backend web
backend api
    server a1 ` + w[1] + `
backend web
    server w1 ` + w[0] + `
`
	ha, goha := startBoth(t, cfg)
	raw := "GET /old?q=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /v1/x HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /v1?t=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET http://h/old?z HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /new HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	exchange := func(addr string) []difftest.Response { return exchangeAll(t, addr, raw) }
	want, got := exchange(ha), exchange(goha)
	if len(want) != 5 || want[0].Headers["x-seen-path"] != "/new" || want[1].Body != "server2\n" {
		t.Fatalf("haproxy answered %+v", want)
	}
	if d := difftest.Diff(want, got, "x-seen-path", "x-seen-x-goha", "x-seen-x-tag", "content-type"); d != "" {
		t.Error(d)
	}
}

// TestSetMethodDifferential: set-method rewrites the method the server
// gets (the rules after it still see the client's, as measured); a request
// turned into HEAD has its response read without a body.
func TestSetMethodDifferential(t *testing.T) {
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", "fixed")
		rw.Header().Set("X-Seen-Method", r.Method)
		rw.Header().Set("X-Seen-Tag", r.Header.Get("X-Tag"))
		io.WriteString(rw, "method "+r.Method+"\n")
	})
	cfg := httpHead + `frontend fe
    bind BIND
    http-request set-method PUT if { path /put }
    http-request set-header X-Tag put if METH_PUT
    http-request set-method HEAD if { path /head }
    default_backend web
backend web
    server w1 ` + origin + `
`
	ha, goha := startBoth(t, cfg)
	raw := "GET /put HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /head HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /other HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	exchange := func(addr string) []difftest.Response { return exchangeAll(t, addr, raw, "GET", "HEAD", "GET") }
	want, got := exchange(ha), exchange(goha)
	if len(want) != 3 || want[0].Headers["x-seen-method"] != "PUT" || want[1].Headers["x-seen-method"] != "HEAD" {
		t.Fatalf("haproxy answered %+v", want)
	}
	if d := difftest.Diff(want, got, "x-seen-method", "x-seen-tag", "content-length", "content-type"); d != "" {
		t.Error(d)
	}
}
