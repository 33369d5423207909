package acl

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// TestLastHeaderFetchMatchesLastOnly: the last occurrence read from the
// end (lastHeaderFetch) is what lastOnly keeps of every value the header
// fetch yields, for split values and full lines, every name form, and the
// Host fallback of an absolute target.
func TestLastHeaderFetchMatchesLastOnly(t *testing.T) {
	reqs := []string{
		"GET / HTTP/1.1\r\nHost: h1\r\nX-A: a, b ,c\r\nx-a: d\r\nX-B: e,\r\nX-C: ,f\r\nX-D:\r\nX-E: \tg\t,\t\r\n\r\n",
		"GET / HTTP/1.1\r\nX-A: a\r\nX-A: b, c\r\nHost: h2, h3\r\n\r\n",
		"GET http://user@auth.example:8080/p?q HTTP/1.1\r\nX-A: z\r\n\r\n",
		"GET http://auth.example/p HTTP/1.1\r\nHost: auth.example\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
	}
	names := []string{"x-a", "X-A", " x-a ", "x-b", "x-c", "x-d", "x-e", "host", "Host", "missing", ""}
	for _, raw := range reqs {
		var req http1.Request
		if err := req.Parse([]byte(raw)); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		r := proxy.NewRequestInfo(netip.MustParseAddrPort("127.0.0.1:1"), &req)
		for _, split := range []bool{splitValues, fullLines} {
			for _, name := range names {
				args := []haproxy.Arg{{Str: name}}
				if name == "" {
					args = nil
				}
				gen, err := headerFetch(split, false)(args)
				if err != nil {
					t.Fatal(err)
				}
				last, err := lastHeaderFetch(split)(args)
				if err != nil {
					t.Fatal(err)
				}
				read := func(f fetchFunc) (string, bool) {
					var got string
					ok := f(r, func(v value) bool { got = v.s; return true })
					return got, ok
				}
				wv, wok := read(lastOnly(gen))
				gv, gok := read(yieldOne(last))
				if wv != gv || wok != gok {
					t.Errorf("%q split=%v name %q: %q %v, want %q %v", raw, split, name, gv, gok, wv, wok)
				}
			}
		}
	}
}
