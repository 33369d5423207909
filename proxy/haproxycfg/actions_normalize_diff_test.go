package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestNormalizeURIDifferential: normalize-uri path-merge-slashes,
// percent-to-uppercase and fragment-strip rewrite the target the server
// gets (and the rules after them see) as HAProxy 2.6's do.
func TestNormalizeURIDifferential(t *testing.T) {
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", "fixed")
		rw.Header().Set("X-Tag", r.Header.Get("X-Tag"))
		io.WriteString(rw, r.RequestURI+"\n")
	})
	cfg := `global
    expose-experimental-directives
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    http-request normalize-uri fragment-strip
    http-request normalize-uri path-merge-slashes
    http-request normalize-uri percent-to-uppercase if { path_beg /p }
    http-request set-header X-Tag merged if { path /a/b/c }
    default_backend web
backend web
    server w1 ` + origin + `
`
	ha, goha := startBoth(t, cfg)
	for _, target := range []string{
		"/a//b///c", "//a?x=//y", "/p/%2f%aa%zz%4?q=%ab", "/x%2fy%2f", "/f#frag", "/f?a=1#frag//x",
		"http://h//a//b?c//d", "/", "/a/b/c", "/p%", "/p%a",
	} {
		raw := "GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want, wantEnd := exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
		got, gotEnd := exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
		if target == "/a//b///c" && (!bytes.HasSuffix(want, []byte("\r\n\r\n/a/b/c\n")) || !bytes.Contains(want, []byte("x-tag: merged"))) {
			t.Errorf("haproxy answered %q, want /a/b/c tagged", want)
		}
		if !bytes.Equal(want, got) || wantEnd != gotEnd {
			t.Errorf("%q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", raw, wantEnd, want, gotEnd, got)
		}
	}
}

// TestNormalizeURIAllDifferential: every normalize-uri normalizer of
// HAProxy 2.6 and its options (path-strip-dot, path-strip-dotdot [full],
// query-sort-by-name, percent-decode-unreserved [strict],
// percent-to-uppercase strict, fragment-encode), each on the same
// targets: what the server gets, and the 400 of a strict normalizer on an
// invalid percent sequence.
func TestNormalizeURIAllDifferential(t *testing.T) {
	ln := requestLineEcho(t)
	normalizers := []string{"path-strip-dot", "path-strip-dotdot", "path-strip-dotdot full", "query-sort-by-name",
		"percent-decode-unreserved", "percent-decode-unreserved strict", "percent-to-uppercase strict", "fragment-encode"}
	cfg := `global
    expose-experimental-directives
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
`
	for i, n := range normalizers {
		cfg += fmt.Sprintf("    http-request normalize-uri %s if { req.hdr(x-n) -m str %d }\n", n, i)
	}
	// 2.6.12 runs path-merge-slashes for these (no optional word before
	// the condition)
	for i, n := range []string{"percent-to-uppercase", "percent-decode-unreserved", "path-strip-dotdot"} {
		cfg += fmt.Sprintf("    http-request normalize-uri %s unless { req.hdr(x-n) -m str %d } || !{ req.hdr(x-m) -m found }\n", n, i)
	}
	cfg += `    http-request set-header X-Seen %[path] if { req.hdr(x-n) -m found }
    default_backend web
backend web
    server w1 ` + ln.Addr().String() + `
`
	ha, goha := startBoth(t, cfg)
	targets := []string{
		"/p//a/./b/../c%aa%41?b&a", "/a/./b/.", "/./", "/.", "/a/./b?./x=.", "/a/b/../c", "/a/../../c", "/a/b/..", "/..", "/../a/..", "/a/..b/../c/...",
		"/x?b=1&a=2&b=0&a", "/x?c&", "/x?&&b&a=", "/x", "/x?", "/%41%2f%7e%2D%zz?q=%61", "/%41%z", "/p%a", "/%",
		"/f#a#b?x#", "http://h/a/./b/../c?z&y", "http://h?b&a", "/%2e%2E/x",
	}
	n, changed := 0, 0
	for i := range len(normalizers) + 1 {
		for _, target := range targets {
			raw := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: h\r\nX-N: %d\r\nConnection: close\r\n\r\n", target, i)
			if i >= len(normalizers) {
				raw = fmt.Sprintf("GET %s HTTP/1.1\r\nHost: h\r\nX-M: 1\r\nConnection: close\r\n\r\n", target)
			}
			want, wantEnd := exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
			got, gotEnd := exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
			if !bytes.Equal(want, got) || wantEnd != gotEnd {
				t.Errorf("rule %d %q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", i, target, wantEnd, want, gotEnd, got)
			}
			if bytes.HasPrefix(want, []byte("HTTP/1.1 400")) {
				n++
			} else if !bytes.Contains(want, []byte("GET "+target+" ")) {
				changed++
			}
		}
	}
	t.Logf("haproxy: %d targets rewritten, %d refused", changed, n)
	if n < 8 || changed < 20 {
		t.Errorf("haproxy rewrote %d targets and refused %d: the test no longer tells much", changed, n)
	}
}

// requestLineEcho is a server answering each request with its head as
// received (the body), whatever the target holds, then closing.
func requestLineEcho(t *testing.T) net.Listener {
	t.Helper()
	ln := loopback.Listen(t)
	loopback.ServeEach(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
			line += l
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(line), line)
	})
	return ln
}
