package haproxycfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestPatternFileRoutingDifferential: use_backend on ACLs fed by pattern
// files (hosts with -i, path prefixes from two files, source networks from
// a map file's keys with -M) and a deny on a map value, against HAProxy
// 2.6: the same backend answers each request (each web names itself).
func TestPatternFileRoutingDifferential(t *testing.T) {
	w := webs3(t)
	dir := t.TempDir()
	for name, text := range map[string]string{
		"hosts.lst":  "# api hosts\napi.example\n  API2.example\n",
		"paths1.lst": "/static\n",
		"paths2.lst": "/img\n/css\n",
		"nets.map":   "127.0.0.0/8 loopback\n10.0.0.0/8 private\n",
		"deny.map":   "/bad deny\n/worse deny\n/ok allow\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := strings.ReplaceAll(httpHead+`frontend fe
    bind BIND
    acl api hdr(host) -i -f $/hosts.lst
    acl static path_beg -f $/paths1.lst -f $/paths2.lst /fonts
    acl local src -M -f $/nets.map
    http-request deny if { path,map_beg($/deny.map,allow) -m str deny }
    use_backend api if api
    use_backend static if static !api
    use_backend web if local
    default_backend other
backend api
    server a1 `+w[0]+`
backend static
    server s1 `+w[1]+`
backend web
    server w1 `+w[2]+`
backend other
    server o1 `+w[0]+`
`, "$", dir)
	ha, goha := startBoth(t, cfg)
	reqs := []string{
		"GET /x HTTP/1.1\r\nHost: api.example\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: api2.EXAMPLE\r\n\r\n",
		"GET /static/a HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /css/a HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /fonts/a HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /img HTTP/1.1\r\nHost: api.example\r\n\r\n",
		"GET /other HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /ok/x HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /worse/x HTTP/1.1\r\nHost: a\r\n\r\n",
	}
	// One request a connection: after a deny HAProxy keeps the connection.
	seen := map[string]bool{}
	for _, r := range reqs {
		exchange := func(addr string) []difftest.Response {
			return exchangeAll(t, addr, strings.Replace(r, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1))
		}
		want, got := exchange(ha), exchange(goha)
		if len(want) == 1 {
			seen[want[0].Body] = true
		}
		if d := difftest.Diff(want, got, "content-type"); d != "" {
			t.Errorf("%q:\n%s", r, d)
		}
	}
	if len(seen) < 4 { // the three webs and the deny page
		t.Errorf("HAProxy's answers were not told apart: %v", seen)
	}
}
