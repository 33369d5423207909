package haproxycfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/proxy"
)

// TestCacheInBackendMatchesHAProxy: http-request cache-use and
// http-response cache-store in a backend, beside HAProxy 2.6.12: a hit is
// served once the backend's http-request rules ran, through the backend's
// http-response rules then the frontend's (a set-header of the same name
// in both: the frontend's value), the backend's http-after-response rules
// first; a backend's deny refuses a hit (its 502 errorfile, no payload to
// a HEAD); a request to another backend
// does not look the cache up. Compared: the answers, the log lines ("fe
// be/<CACHE>"), the origins' request counts, and show stat's lookups,
// hits, interceptions (none: the frontend did not choose the cache) and
// requests.
func TestCacheInBackendMatchesHAProxy(t *testing.T) {
	cfg := cacheHead + `frontend fe
    bind BIND
    http-response set-header x-fe fe
    http-response set-header x-same fe
    http-response set-header x-hit %[res.cache_hit]
    http-after-response set-header x-after-fe fe
    use_backend be if { path_beg /b }
    default_backend other
backend be
    errorfile 502 E502
    http-request set-header x-req 1
    http-request cache-use c1
    http-request set-header x-after-use 1
    http-response cache-store c1
    http-response set-header x-be be
    http-response add-header x-both be
    http-response set-header x-same be
    http-response deny if { res.cache_hit } { res.hdr(etag) -m str d }
    http-after-response set-header x-after-be be
    server s1 WEB
backend other
    server s2 WEB
cache c1
    total-max-size 1
    max-age 240
`
	// the backend's 502 errorfile for its denied hits
	e502 := filepath.Join(t.TempDir(), "502.http")
	os.WriteFile(e502, []byte("HTTP/1.0 502 Bad Gateway\r\nCache-Control: no-cache\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\ncustom 502\n"), 0o644)
	cfg = strings.Replace(cfg, "E502", e502, 1)
	ha, goha, sock, haLog, goLog, haWeb, goWeb, _, px := startCacheBoth(t, cfg)
	for i, target := range []string{"/b1?h=Cache-Control:max-age=60", "/b1?h=Cache-Control:max-age=60", "/b1?h=Cache-Control:max-age=60",
		"/b2?h=ETag:d", "/b2?h=ETag:d", "/o1?h=ETag:x", "/o1?h=ETag:x"} {
		for _, m := range []string{"GET", "HEAD"} {
			raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: cache.test\r\nConnection: close\r\n\r\n", m, target)
			sameCacheAnswer(t, fmt.Sprintf("request %d %s %s", i, m, target), ha, goha, raw)
			sameLogLines(t, fmt.Sprintf("request %d %s %s", i, m, target), haLog, goLog, 1)
		}
	}
	if w, g := haWeb.counts(), goWeb.counts(); w != g {
		t.Errorf("origin requests\nhaproxy: %s\ngoha:    %s", w, g)
	}
	rows := map[string]proxy.Stats{"fe/FRONTEND": px.Frontends()[0].Stats}
	for _, b := range px.Backends() {
		rows[b.Name+"/BACKEND"] = b.Stats
	}
	hits := ""
	for _, r := range showStatRows(haproxytest.StatsCmd(t, sock, "show stat")) {
		st, ok := rows[r.key()]
		if !ok {
			continue
		}
		g := map[string]int64{"cache_lookups": st.CacheLookups, "cache_hits": st.CacheHits, "intercepted": st.Intercepted,
			"hrsp_2xx": st.HRsp2xx, "hrsp_5xx": st.HRsp5xx}
		if r["svname"] == "BACKEND" { // the frontend's also counts HAProxy's readiness probe
			g["req_tot"] = st.Requests
		}
		for c, v := range g {
			if r[c] != fmt.Sprint(v) && !(r[c] == "" && v == 0) {
				t.Errorf("show stat %s %s: haproxy %q, goha %d", r.key(), c, r[c], v)
			}
		}
		if r.key() == "be/BACKEND" {
			hits = r["cache_hits"]
		}
	}
	if hits != "8" { // b1 twice, b2 (denied) twice, each a GET and a HEAD
		t.Errorf("haproxy's backend counted %q hits, want 8", hits)
	}
}

// TestCacheInBackendRefused: a backend's cache-use is refused where its
// hits would go through an http-response action goha does not apply to
// them (the backend's own, or any frontend's), and both cache rules where
// the backend and a frontend routing to it both compress; in a named
// defaults section the cache rules stay refused.
func TestCacheInBackendRefused(t *testing.T) {
	for _, tc := range []struct{ fe, be, want string }{
		{"", "http-request cache-use c\n    http-response cache-store c", ""},
		{"", "http-request cache-use c\n    http-response set-status 201", "http-request cache-use with http-response set-status"},
		{"    http-response replace-header x a b\n", "http-request cache-use c", "http-request cache-use with http-response replace-header"},
		// beside compression (TestCacheInBackendCompressionMatchesHAProxy)
		{"    compression algo gzip\n", "http-request cache-use c", ""},
		{"", "http-request cache-use c\n    compression algo gzip", ""},
		{"", "http-response cache-store c\n    compression algo gzip", ""},
		{"    compression algo gzip\n", "http-request cache-use c\n    compression algo gzip",
			"cache-use in a backend with compression a frontend with compression may route to"},
		{"    compression algo gzip\n", "http-response cache-store c\n    compression algo gzip",
			"http-response cache-store in a backend with compression a frontend with compression may route to"},
	} {
		cfg := quickDefaults("http") + "cache c\n    total-max-size 1\n" +
			"frontend fe\n    bind 127.0.0.1:8080\n" + tc.fe + "    default_backend be\nbackend be\n    " + tc.be + "\n    server s 127.0.0.1:9\n"
		if got := configNotices(cfg); !noticeIs(got, tc.want) {
			t.Errorf("%s%s: notices %q, want %q", tc.fe, tc.be, got, tc.want)
		}
	}
	cfg := "defaults d1\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n    http-request cache-use c\n" +
		"defaults d0\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
		"cache c\n    total-max-size 1\nfrontend fe from d0\n    bind 127.0.0.1:8080\n    default_backend be\nbackend be from d1\n    server s 127.0.0.1:9\n"
	if got := configNotices(cfg); !strings.Contains(got, "'http-request cache-use in defaults 'd1' a backend starts from'") {
		t.Errorf("defaults: notices %q", got)
	}
}
