package proxy

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

func TestChooseAlgo(t *testing.T) {
	both := []string{"deflate", "gzip"} // configured "gzip deflate"
	for _, c := range []struct {
		algos  []string
		ua     string
		accept string
		want   string
		header bool
	}{
		{both, "", "gzip", "gzip", true},
		{both, "", "gzip;q=0.5, deflate", "deflate", true},
		{both, "", "gzip;q=0.5, deflate;q=0.5", "gzip", true}, // equal q: the first element
		{both, "", "gzip;q=0", "", false},
		{both, "", "br, *;q=0.2", "deflate", true}, // '*' takes the head of the list
		{both, "", "GZIP ; q=1.0", "gzip", true},
		{both, "", "gzip;level=1;q=0.001", "gzip", true},
		{both, "", "gzip;q=x", "gzip", true}, // unreadable q-value: 1
		{both, "", "gzipx", "", false},
		{both, "", "", "", false},
		{[]string{"identity", "gzip"}, "", "br", "identity", false},
		{[]string{"identity", "gzip"}, "", "identity", "identity", true},
		{both, "Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)", "gzip", "", false},
		{both, "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", "gzip", "gzip", true},
		{both, "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)", "gzip", "", false},
		{both, "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)", "gzip", "gzip", true},
		{both, "Mozilla/5.0", "gzip", "gzip", true},
	} {
		algo, header := chooseAlgo(c.algos, []byte(c.ua), c.ua != "", commaElements([]byte(c.accept)))
		if algo != c.want || header != c.header {
			t.Errorf("%v ua %q accept %q: %q %v, want %q %v", c.algos, c.ua, c.accept, algo, header, c.want, c.header)
		}
	}
}

func TestRespCompressible(t *testing.T) {
	hdrs := func(s string) []http1.Header {
		var out []http1.Header
		for _, l := range strings.Split(s, "|") {
			if n, v, ok := strings.Cut(l, ": "); ok {
				out = append(out, http1.Header{Name: []byte(n), Value: []byte(v)})
			}
		}
		return out
	}
	typed := &compPlan{types: []string{"text/"}}
	any := &compPlan{}
	for _, c := range []struct {
		p      *compPlan
		status int
		h      string
		want   bool
	}{
		{typed, 200, "content-type: text/html", true},
		{typed, 203, "content-type: TEXT/plain", true},
		{typed, 204, "content-type: text/html", false},
		{typed, 200, "content-type: image/png", false},
		{typed, 200, "", false},
		{any, 200, "", true},
		{any, 200, "content-type: multipart/form-data", false},
		{any, 200, "content-encoding: ", false},
		{any, 200, "cache-control: private, no-transform ", false},
		{any, 200, "cache-control: no-transform=1", true},
		{any, 200, "etag: \"a\"", true},
		{any, 200, "etag: W/\"a\"", true},
		{any, 200, "etag: a", false},
		{any, 200, "etag: \"a\"|etag: \"a\"", false},
	} {
		if got := respCompressible(c.p, true, false, c.status, true, hdrs(c.h)); got != c.want {
			t.Errorf("%d %q: %v, want %v", c.status, c.h, got, c.want)
		}
	}
	if respCompressible(any, false, false, 200, true, nil) || respCompressible(any, true, true, 200, true, nil) ||
		respCompressible(any, true, false, 200, false, nil) {
		t.Error("HTTP/1.0, HEAD or an unframed body compressed")
	}
}

// FuzzChooseAlgo: any Accept-Encoding and User-Agent values give an
// algorithm of the list or none, never a panic.
func FuzzChooseAlgo(f *testing.F) {
	for _, s := range []string{"gzip;q=0.5, deflate", "*;q=", "gzip;q", " ;;q=1.", "br,,gzip ; q=0.001", "\t"} {
		f.Add(s, "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)")
	}
	algos := []string{"identity", "raw-deflate", "gzip"}
	f.Fuzz(func(t *testing.T, accept, ua string) {
		algo, _ := chooseAlgo(algos, []byte(ua), ua != "", commaElements([]byte(accept)))
		if algo != "" && algo != "identity" && algo != "raw-deflate" && algo != "gzip" {
			t.Fatalf("chose %q", algo)
		}
		respCompressible(&compPlan{types: []string{accept}}, true, false, 200, true,
			[]http1.Header{{Name: []byte("etag"), Value: []byte(ua)}, {Name: []byte("content-type"), Value: []byte(accept)}})
	})
}
