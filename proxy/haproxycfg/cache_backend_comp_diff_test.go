package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// cacheBackendCompCfg: backend be's cache behind frontend fe, which
// compresses, and behind fe2, which does not; backend be2 compresses
// itself in front of its own cache, behind fe2 (/c2 paths). The origin
// counts its requests (the entries' bodies say which one answered).
const cacheBackendCompCfg = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
cache c
    total-max-size 4
    max-age 60
frontend fe
    bind FEA
    compression algo gzip
    compression type text/plain
    default_backend be
frontend fe2
    bind FEB
    use_backend be2 if { path_beg /c2 }
    default_backend be
backend be
    http-request cache-use c
    http-response cache-store c
    http-response set-header x-hit %[res.cache_hit]
    server o WEB
backend be2
    compression algo gzip
    compression type text/plain
    http-request cache-use c
    http-response cache-store c
    http-response set-header x-hit %[res.cache_hit]
    server o WEB
`

// TestCacheInBackendCompressionMatchesHAProxy: a backend's cache beside
// compression, as HAProxy 2.6 runs its filters (the frontend's before
// the backend's; in a proxy, the cache before the compression): a
// response the frontend compresses is not stored (the next request goes
// to the server again), one it sends as is is stored, and the hits are
// compressed by the frontend that serves them; a backend's own
// compression leaves its cache the body the server sent, its hits
// compressed for a client that accepts gzip, never for a HEAD or a 304.
// The answers (bodies gunzipped) and the origin's request counts must
// be equal.
func TestCacheInBackendCompressionMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	haWeb, goWeb := startCacheOrigin(t), startCacheOrigin(t)
	// The origin is per side: each side's WEB is its own.
	haAddrs, goAddrs := startTemplatedPerSide(t, cacheBackendCompCfg, []string{"FEA", "FEB"}, haWeb.addr, goWeb.addr)
	gz, etag := "Accept-Encoding: gzip\r\n", "/%s?h=Content-Type:text/plain&h=Cache-Control:max-age=60&h=ETag:%%22t%%22&n=300"
	steps := []struct {
		fe           int
		method, path string
		extra        string
	}{
		// fe compresses the miss: not stored
		{0, "GET", "a", gz}, {0, "GET", "a", gz}, {0, "GET", "a", ""}, {1, "GET", "a", ""}, {1, "GET", "a", gz}, {0, "GET", "a", gz},
		// stored as sent, then hits compressed by fe only
		{0, "GET", "b", ""}, {0, "GET", "b", gz}, {1, "GET", "b", gz}, {0, "HEAD", "b", gz},
		{0, "GET", "b", gz + "If-None-Match: \"t\"\r\n"}, {0, "GET", "b", "Accept-Encoding: br\r\n"},
		// be2's own compression: its cache keeps the server's body
		{1, "GET", "c2", gz}, {1, "GET", "c2", gz}, {1, "GET", "c2", ""}, {1, "HEAD", "c2", gz},
		{1, "GET", "c2", gz + "If-None-Match: \"t\"\r\n"}, {0, "GET", "c2", gz},
	}
	for i, st := range steps {
		raw := fmt.Sprintf("%s "+etag+" HTTP/1.1\r\nHost: cache.test\r\n%sConnection: close\r\n\r\n", st.method, st.path, st.extra)
		want, _ := exchangeFrom(t, "", haAddrs[st.fe], raw, 300*time.Millisecond)
		got, _ := exchangeFrom(t, "", goAddrs[st.fe], raw, 300*time.Millisecond)
		norm := func(b []byte) string {
			h, body, _ := strings.Cut(string(b), "\r\n\r\n")
			h = ageHeader.ReplaceAllString(h+"\r\n", "age: N\r")
			if strings.Contains(h, "content-encoding: gzip") && st.method != "HEAD" {
				body = "gzip:" + gunzipChunked(t, body)
			}
			return h + "\r\n" + body
		}
		if w, g := norm(want), norm(got); w != g {
			t.Errorf("step %d fe%d %s %s %q\nhaproxy: %.500q\ngoha:    %.500q", i, st.fe+1, st.method, st.path, st.extra, w, g)
		}
	}
	if w, g := haWeb.counts(), goWeb.counts(); w != g {
		t.Errorf("origin requests\nhaproxy: %s\ngoha:    %s", w, g)
	}
	if w := haWeb.counts(); !strings.Contains(w, "a?") {
		t.Errorf("origin requests: %s", w)
	}
}

// startTemplatedPerSide is startTemplatedAddrs with WEB replaced by each
// side's own server address.
func startTemplatedPerSide(t *testing.T, tmpl string, keys []string, haWeb, goWeb string) (ha, goha []string) {
	t.Helper()
	mk := func(web string) ([]string, string) {
		var addrs, pairs []string
		for _, k := range keys {
			a := loopback.FreeAddr(t)
			addrs, pairs = append(addrs, a), append(pairs, k, a)
		}
		return addrs, strings.NewReplacer(append(pairs, "WEB", web)...).Replace(tmpl)
	}
	ha, cfg := mk(haWeb)
	difftest.StartHAProxy(t, cfg, ha[0])
	goha, cfg = mk(goWeb)
	runPlan(t, cfg)
	loopback.WaitListen(t, goha[0])
	return ha, goha
}
