package cache

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

func hdrs(lines ...string) []http1.Header {
	var hs []http1.Header
	for _, l := range lines {
		n, v, _ := strings.Cut(l, ":")
		hs = append(hs, http1.Header{Name: []byte(n), Value: []byte(strings.TrimSpace(v))})
	}
	return hs
}

func TestKey(t *testing.T) {
	k, ok := Key([]byte("/a?b"), []byte("h:80"), true)
	if want := sha1.Sum([]byte("https://h:80/a?b")); !ok || k != want {
		t.Errorf("relative target: %x %v", k, ok)
	}
	k, ok = Key([]byte("http://x/a"), nil, false)
	if want := sha1.Sum([]byte("http://x/a")); !ok || k != want {
		t.Errorf("absolute target: %x %v", k, ok)
	}
	if _, ok := Key([]byte("/a"), nil, false); ok {
		t.Error("a relative target without Host has a key")
	}
	// The figure `show cache` prints, measured on HAProxy 2.6.12 for
	// GET /a?h=Cache-Control:max-age=100 with Host 127.0.0.1:28847.
	k, _ = Key([]byte("/a?h=Cache-Control:max-age=100"), []byte("127.0.0.1:28847"), true)
	if ShortHash(k) != 1604437477 {
		t.Errorf("ShortHash %d", ShortHash(k))
	}
}

func TestRequestPolicy(t *testing.T) {
	for _, c := range []struct {
		http11          bool
		method          string
		hs              []string
		ignore, noStore bool
	}{
		{true, "GET", nil, false, false},
		{true, "HEAD", nil, false, false},
		{false, "GET", nil, true, false},
		{true, "POST", nil, true, false},
		{true, "GET", []string{"Authorization: x"}, true, true},
		{true, "GET", []string{"Cache-Control: no-cache"}, true, false},
		{true, "GET", []string{"Cache-Control: max-age=10"}, true, false},
		{true, "GET", []string{"Cache-Control: max-stale, min-fresh=3"}, true, false},
		{true, "GET", []string{"Cache-Control: no-store"}, false, true},
		{true, "GET", []string{"Pragma: no-cache"}, true, false},
		{true, "GET", []string{"Pragma: no-cache", "Cache-Control: no-transform"}, false, false},
	} {
		r := RequestPolicy(c.http11, []byte(c.method), hdrs(c.hs...))
		if r.Ignore != c.ignore || r.NoStore != c.noStore {
			t.Errorf("%v %s %q: %+v", c.http11, c.method, c.hs, r)
		}
	}
}

func TestStorable(t *testing.T) {
	for _, c := range []struct {
		noStore bool
		hs      []string
		want    bool
	}{
		{false, nil, false}, // no freshness, no validator
		{false, []string{"ETag: \"x\""}, true},
		{false, []string{"Last-Modified: Thu, 01 Dec 2000 16:00:00 GMT"}, true},
		{false, []string{"Expires: whatever"}, true},
		{false, []string{"Cache-Control: max-age=10"}, true},
		{false, []string{"Cache-Control: private, max-age=10"}, false},
		{false, []string{"Cache-Control: s-maxage=50, max-age=0"}, false},
		{false, []string{"Cache-Control: no-cache=\"set-cookie\", max-age=50"}, false},
		{false, []string{"Pragma: no-cache", "ETag: x"}, false},
		{true, []string{"Cache-Control: max-age=10"}, false},
		{true, []string{"Cache-Control: max-age=10, public"}, true},
		{false, []string{"Cache-Control: max-age=10", "Set-Cookie: a=b"}, true},
	} {
		if got := Storable(c.noStore, hdrs(c.hs...)); got != c.want {
			t.Errorf("%v %q: %v", c.noStore, c.hs, got)
		}
	}
}

func TestMaxAge(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		hs   []string
		want int64
		ok   bool
	}{
		{nil, 60, true},
		{[]string{"Cache-Control: max-age=30"}, 30, true},
		{[]string{"Cache-Control: max-age=300"}, 60, true},
		{[]string{"Cache-Control: s-maxage=20, max-age=40"}, 20, true},
		{[]string{"Cache-Control: max-age=\"25\""}, 25, true},
		{[]string{"Cache-Control: max-age=x"}, -1, false},
		{[]string{"Expires: Thu, 01 Jan 2026 00:00:45 GMT"}, 45, true},
		{[]string{"Expires: Thu, 01 Jan 2000 00:00:45 GMT"}, 0, true},
		{[]string{"Expires: garbage"}, 0, true},
		{[]string{"Cache-Control: max-age=30", "Expires: Thu, 01 Jan 2026 00:00:45 GMT"}, 30, true},
	} {
		got, ok := MaxAge(hdrs(c.hs...), 60, now)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %d %v", c.hs, got, ok)
		}
	}
}

func TestNotModified(t *testing.T) {
	e := &Entry{ETag: []byte(`"abc"`), lastModified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()}
	for _, c := range []struct {
		hs   []string
		want bool
	}{
		{nil, false},
		{[]string{`If-None-Match: "abc"`}, true},
		{[]string{`If-None-Match: W/"abc"`}, true},
		{[]string{`If-None-Match: "x", "abc"`}, true},
		{[]string{`If-None-Match: *`}, true},
		{[]string{`If-None-Match: "x"`, "If-Modified-Since: Thu, 01 Dec 2040 16:00:00 GMT"}, false},
		{[]string{"If-Modified-Since: Thu, 01 Dec 2040 16:00:00 GMT"}, true},
		{[]string{"If-Modified-Since: Thu, 01 Dec 2000 16:00:00 GMT"}, false},
	} {
		if got := NotModified(e, hdrs(c.hs...)); got != c.want {
			t.Errorf("%q: %v", c.hs, got)
		}
	}
}

// TestStoreBounds: entries fill whole 1 kB blocks, the least recently
// used go first, an entry past max-object-size is dropped while it grows,
// a key being stored is not stored twice, and an expired entry is not
// served.
// lookup is Lookup without Vary.
func lookup(c *Cache, k [20]byte) *Entry {
	e, _ := c.Lookup(k, func(uint) (SecondaryKey, bool) { return SecondaryKey{}, false })
	return e
}

func TestStoreBounds(t *testing.T) {
	now := time.Unix(1000, 0)
	c := New(Config{Name: "c", TotalMaxSize: 1, MaxAge: 60})
	c.now = func() time.Time { return now }
	if c.MaxObjectSize() != 4096 {
		t.Fatalf("default max-object-size %d", c.MaxObjectSize())
	}
	key := func(i int) [20]byte { return sha1.Sum([]byte(fmt.Sprint(i))) }
	store := func(i, size int) bool {
		p := c.Begin(key(i), []byte("HTTP/1.1 200 OK\r\n"), false, Meta{MaxAge: 60, Size: 200})
		if p == nil {
			return false
		}
		if !p.Write(make([]byte, size)) {
			return false
		}
		p.Commit()
		return true
	}
	for i := range 300 { // 300 entries of 3 blocks in 1024
		if !store(i, 2800) {
			t.Fatalf("entry %d not stored", i)
		}
		if i == 10 && lookup(c, key(0)) == nil { // entry 0 becomes recent
			t.Fatal("entry 0 lost early")
		}
	}
	count := func() (n int) {
		for i := range 400 {
			if len(c.entries[key(i)]) > 0 {
				n++
			}
		}
		return n
	}
	if n := count(); n != 300 {
		t.Errorf("kept %d of 300 (900 blocks)", n)
	}
	for i := 300; i < 400; i++ {
		store(i, 2800)
	}
	if n := count(); n != 341 {
		t.Errorf("kept %d of 400 in 1024 blocks of 3", n)
	}
	if lookup(c, key(0)) != nil || lookup(c, key(1)) != nil || lookup(c, key(399)) == nil {
		t.Error("the least recently used entries were not the ones evicted")
	}
	if c.used > c.blocks {
		t.Errorf("%d blocks used of %d", c.used, c.blocks)
	}
	if store(500, 5000) {
		t.Error("an entry past max-object-size was stored")
	}
	p := c.Begin(key(600), nil, false, Meta{MaxAge: 60, Size: 200})
	if c.Begin(key(600), nil, false, Meta{MaxAge: 60, Size: 200}) != nil {
		t.Error("a key being stored was stored twice")
	}
	p.Commit()
	now = now.Add(61 * time.Second)
	if lookup(c, key(600)) != nil {
		t.Error("an expired entry was served")
	}
	if !strings.HasPrefix(c.Show(), "0x") || strings.Contains(c.Show(), "hash:") {
		t.Errorf("show cache lists expired entries:\n%s", c.Show())
	}
}

func TestVaryKeys(t *testing.T) {
	for _, c := range []struct {
		ae   []string
		want uint32
		ok   bool
	}{
		{nil, ^uint32(0), true},
		{[]string{"Accept-Encoding: gzip"}, encGzip | encIdentity, true},
		{[]string{"Accept-Encoding: GZIP, br;q=0.5"}, encGzip | encBr | encIdentity, true},
		{[]string{"Accept-Encoding: identity;q=0, gzip"}, encGzip, true},
		{[]string{"Accept-Encoding: *, gzip;q=0"}, ^uint32(0) &^ encGzip, true},
		{[]string{"Accept-Encoding: foo"}, encOther | encIdentity, true},
		{[]string{"Accept-Encoding: x-gzip"}, encGzip | encIdentity, true},
		{[]string{"Accept-Encoding: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p"}, 0, false},
	} {
		got, ok := acceptEncodingBitmap(hdrs(c.ae...))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%q: %#x %v", c.ae, got, ok)
		}
	}
	// HAProxy 2.6.12 showed vary:0x00010000b1090e0d for a response
	// without Content-Encoding varying on both headers, asked with
	// "Accept-Encoding: gzip" and "Referer: r1".
	k, _ := RequestSecondaryKey(hdrs("Accept-Encoding: gzip", "Referer: r1"), VaryAcceptEncoding|VaryReferer)
	enc, _ := ResponseEncoding(nil)
	if k = k.WithEncoding(enc); fmt.Sprintf("%x", k[:]) != "00010000b1090e0d" {
		t.Errorf("key %x", k[:])
	}
	if sig, ok := VarySignature(hdrs("Vary: Accept-Encoding, referer")); !ok || sig != VaryAcceptEncoding|VaryReferer {
		t.Errorf("signature %d %v", sig, ok)
	}
	if _, ok := VarySignature(hdrs("Vary: user-agent")); ok {
		t.Error("Vary: user-agent accepted")
	}
	if _, ok := ResponseEncoding(hdrs("Content-Encoding: foo")); ok {
		t.Error("an unknown content-encoding accepted")
	}
	ref := SecondaryKey{}.WithEncoding(encGzip)
	if !ref.matches(SecondaryKey{}.WithEncoding(encGzip|encIdentity)) || ref.matches(SecondaryKey{}.WithEncoding(encBr|encIdentity)) {
		t.Error("accept-encoding matching")
	}
}
