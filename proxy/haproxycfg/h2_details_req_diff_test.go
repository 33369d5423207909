package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// TestH2ServerRequestBytesMatchHAProxy: requests with bodies (length,
// chunked, chunked with trailers; HTTP/2 DATA with and without
// content-length), a cookie split in crumbs, origin-form and
// absolute-form targets, HTTP/2 requests with and without :authority, to
// HTTP/2 servers in clear and over TLS: the HEADERS the server gets
// (:scheme, :authority, host), what the client gets, and the log line's
// %B and %U are HAProxy 2.6.12's.
func TestH2ServerRequestBytesMatchHAProxy(t *testing.T) {
	t.Parallel()
	ha, goha := startH2DetailsPair(t, h2DetailsConfig)
	h1 := []string{
		"POST /len HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"POST /nolen HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
		"POST /trailers HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\nx-r: 1\r\n\r\n",
		"GET /empty HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n",
		"GET /tls/a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET http://abs.example/len?q=1 HTTP/1.1\r\nHost: abs.example\r\nConnection: close\r\n\r\n",
		"GET https://abs.example:8443/tls/b HTTP/1.1\r\nHost: abs.example:8443\r\nConnection: close\r\n\r\n",
		"GET http://abs.example HTTP/1.1\r\nHost: abs.example\r\nConnection: close\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	for _, raw := range h1 {
		want, got := exchangeText(ha.fe, raw), exchangeText(goha.fe, raw)
		wl, gl := fmt.Sprint(ha.logs()), fmt.Sprint(goha.logs())
		ws, gs := ha.origin.seenAll()+ha.tlsOrg.seenAll(), goha.origin.seenAll()+goha.tlsOrg.seenAll()
		if ws == "" {
			t.Errorf("%q: the server recorded nothing", raw)
		}
		if want != got || wl != gl || ws != gs {
			t.Errorf("%q:\nhaproxy: %q %s\n%s\ngoha:    %q %s\n%s", raw, want, wl, ws, got, gl, gs)
		}
	}
	h2reqs := []struct {
		body string
		kv   []string
	}{
		{"abc", []string{":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/len", "content-length", "3"}},
		{"abcde", []string{":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/nolen"}},
		{"", []string{":method", "GET", ":scheme", "http", ":authority", "h", ":path", "/empty", "cookie", "a=1", "x-b", "2", "cookie", "b=2"}},
		{"", []string{":method", "GET", ":scheme", "https", ":path", "/204", "host", "hh"}},
		{"", []string{":method", "OPTIONS", ":scheme", "http", ":authority", "h", ":path", "*"}},
		{"", []string{":method", "GET", ":scheme", "http", ":path", "/tls/c", "host", "hh"}},
		{"", []string{":method", "GET", ":scheme", "https", ":authority", "a:1", ":path", "/tls/d", "host", "hh"}},
	}
	for _, r := range h2reqs {
		want, got := h2Ask(ha.fe2, r.body, r.kv...), h2Ask(goha.fe2, r.body, r.kv...)
		wl := strings.ReplaceAll(fmt.Sprint(ha.logs()), ha.fe2, "FE2")
		gl := strings.ReplaceAll(fmt.Sprint(goha.logs()), goha.fe2, "FE2")
		ws, gs := ha.origin.seenAll()+ha.tlsOrg.seenAll(), goha.origin.seenAll()+goha.tlsOrg.seenAll()
		if ws == "" {
			t.Errorf("HTTP/2 %v: the server recorded nothing", r.kv)
		}
		if want != got || wl != gl || ws != gs {
			t.Errorf("HTTP/2 %v %q:\nhaproxy: %q %s\n%s\ngoha:    %q %s\n%s", r.kv, r.body, want, wl, ws, got, gl, gs)
		}
	}
}
