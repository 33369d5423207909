package haproxycfg

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestNormalizeURIDifferential: normalize-uri path-merge-slashes,
// percent-to-uppercase and fragment-strip rewrite the target the server
// gets (and the rules after them see) as HAProxy 2.6's do.
func TestNormalizeURIDifferential(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", "fixed")
		rw.Header().Set("X-Tag", r.Header.Get("X-Tag"))
		io.WriteString(rw, r.RequestURI+"\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
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
    server w1 ` + ln.Addr().String() + `
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
