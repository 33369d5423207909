package haproxycfg

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// formatValues are set-header values with %[...] samples: each type as
// text, literal text around samples, %%, a missing and an empty sample.
var formatValues = []string{
	"%[req.hdr(x)]", "%[req.hdr(x),length]", "%[src]", "%[req.hdr(x),ipmask(24)]", "%[int(-5)]",
	"%[req.hdr(x),bool]", "%[req.hdr(x),lower]", "a%[str(b)]c%[str(d)]e", "100%%", "%[req.hdr(nope)]",
	"%[str(),length]x%[str()]y", "%[req.hdr(x),add(1),mul(3)]", "%[path]?%[query]", "%[req.hdr(x),ipmask(16),hex]",
	"%[bin(0041),lower]", "%[meth(GET)]", "%[req.hdr(x),regsub([a-c],<>,g)]", "%[ipv6(::1)]", "%[ipv4(1.2.3.4),add(0)]",
	"%[req.hdr(x),json(ascii)]", "%[req.hdr(x),url_enc]",
}

// startHeaderEcho answers with the x-f-* headers the proxy set, sorted,
// one "name=value" a line.
func startHeaderEcho(t *testing.T) string {
	t.Helper()
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		var m []string
		for k, vs := range r.Header {
			if k = strings.ToLower(k); strings.HasPrefix(k, "x-f-") {
				m = append(m, k+"="+strings.Join(vs, "|"))
			}
		}
		sort.Strings(m)
		io.WriteString(rw, strings.Join(m, "\n"))
	})
	return origin
}

// TestHeaderFormatDifferential: http-request set-header and add-header
// with %[...] samples (log-format values) against HAProxy 2.6: the same
// rules and requests must give the backend the same header values, for
// every value of header X of the converter test and the converter chains
// of TestConverterDifferential rendered through ,hex.
func TestHeaderFormatDifferential(t *testing.T) {
	values := append([]string(nil), formatValues...)
	for _, c := range convExprs {
		values = append(values, "%[req.hdr(x),"+c+",hex]")
	}
	const chunk = 60
	for start := 0; start < len(values); start += chunk {
		part := values[start:min(start+chunk, len(values))]
		var b strings.Builder
		b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
		for i, v := range part {
			action := "set-header"
			if i%5 == 4 {
				action = "add-header"
			}
			fmt.Fprintf(&b, "    http-request %s x-f-%03d \"%s\"\n", action, i, v)
		}
		b.WriteString("    default_backend be\nbackend be\n    server s1 " + startHeaderEcho(t) + "\n")
		ha, goha := startBoth(t, b.String())
		for _, v := range convValues {
			req := strings.Replace(convRequest(v), "GET /p/q?a=1", "GET /p/q?a=1&b", 1)
			want, got := matchedACLs(t, ha, req), matchedACLs(t, goha, req)
			if n := strings.Count(want, "x-f-"); v == "abc" && n != len(part) {
				t.Errorf("X: abc: HAProxy set %d of the %d headers: %q", n, len(part), want)
			}
			if want == got {
				continue
			}
			w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
			for i := 0; i < max(len(w), len(g)); i++ {
				var wl, gl string
				if i < len(w) {
					wl = w[i]
				}
				if i < len(g) {
					gl = g[i]
				}
				if wl != gl {
					t.Errorf("X: %q:\n haproxy %q\n goha    %q", v, wl, gl)
				}
			}
		}
	}
}
