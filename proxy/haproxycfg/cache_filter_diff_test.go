package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// sameCacheCompression sends a cacheable text/plain URL through cfg (the
// cache c1 of cacheDiffConfig where compression applies) with requests
// accepting gzip or not, HEAD and a conditional one, to HAProxy and
// goha: heads compared exactly, gzip bodies once decompressed (Go's and
// libslz's compressed bytes differ), a hit's log line, the origins'
// request counts.
func sameCacheCompression(t *testing.T, cfg string) {
	t.Helper()
	ha, goha, _, haLog, goLog, haWeb, goWeb, _, _ := startCacheBoth(t, cfg)
	target := "/z?h=Content-Type:text/plain&h=Cache-Control:max-age=60&h=ETag:%22t%22&n=300"
	for i, st := range []struct{ method, extra string }{
		{"GET", "Accept-Encoding: gzip\r\n"}, {"GET", "Accept-Encoding: gzip\r\n"}, {"GET", ""},
		{"HEAD", "Accept-Encoding: gzip\r\n"}, {"GET", "Accept-Encoding: gzip\r\nIf-None-Match: \"t\"\r\n"},
		{"GET", "Accept-Encoding: br\r\n"}, {"GET", "Accept-Encoding: gzip\r\n"},
	} {
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: cache.test\r\n%sConnection: close\r\n\r\n", st.method, target, st.extra)
		want, _ := exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
		time.Sleep(50 * time.Millisecond)
		norm := func(b []byte) string {
			h, body, _ := strings.Cut(string(b), "\r\n\r\n")
			h = ageHeader.ReplaceAllString(h+"\r\n", "age: N\r")
			if strings.Contains(h, "content-encoding: gzip") {
				body = "gzip:" + gunzipChunked(t, body)
			}
			return h + "\r\n" + body
		}
		if w, g := norm(want), norm(got); w != g {
			t.Errorf("request %d %s %q\nhaproxy: %.400q\ngoha:    %.400q", i, st.method, st.extra, w, g)
		}
		if !strings.Contains(norm(want), "x-hit: 1") {
			nextLine(t, haLog, "haproxy") // a compressed miss: logged bytes differ (see above)
			nextLine(t, goLog, "goha")
			continue
		}
		sameLogLines(t, fmt.Sprintf("request %d", i), haLog, goLog, 1)
	}
	if w, g := haWeb.counts(), goWeb.counts(); w != g {
		t.Errorf("origin requests\nhaproxy: %s\ngoha:    %s", w, g)
	}
}

// TestCacheFilterMatchesHAProxy: explicit `filter cache` and `filter
// compression` lines (the cache first: entries stored as the server sent
// them, compressed per hit; the other order is refused, as HAProxy
// refuses it: goldens bad-cache-filter-*), `filter cache` alone beside
// cache-use and cache-store, and compression under global
// tune.comp.maxlevel 1, beside HAProxy 2.6 (sameCacheCompression's
// exchanges).
func TestCacheFilterMatchesHAProxy(t *testing.T) {
	t.Parallel()
	comp := "    compression algo gzip\n    compression type text/plain\n"
	for _, tc := range []struct{ name, filters string }{
		{"cache then compression", "    filter cache c1\n    filter compression\n" + comp},
		{"cache alone", "    filter cache c1\n"},
		{"compression at maxlevel 1", comp},
	} {
		// (a subtest's name reaches its temporary directory, the stats
		// socket's path: no '#', a comment in HAProxy's configuration)
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			cfg := strings.Replace(cacheDiffConfig, "    server s1 WEB\n", tc.filters+"    server s1 WEB\n", 1)
			if strings.Contains(tc.name, "maxlevel") {
				// HAProxy's libslz has one level; goha's deflate level
				// changes the bytes, not what they decode to
				cfg = strings.Replace(cfg, "global\n", "global\n    tune.comp.maxlevel 1\n", 1)
			}
			sameCacheCompression(t, cfg)
		})
	}
}
