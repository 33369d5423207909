package cache

import (
	"bytes"
	"crypto/sha1"
	"strconv"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// Key is the primary key HAProxy 2.6 gives a request (sha1_hosturi): the
// SHA-1 of the request target, prefixed with "https://" and the first Host
// header's value unless the target is in absolute form. false: no key (an
// empty target, or a relative one without a Host header).
func Key(target []byte, host []byte, hasHost bool) ([20]byte, bool) {
	if len(target) == 0 {
		return [20]byte{}, false
	}
	h := sha1.New()
	if target[0] == '/' || target[0] == '*' || !hasScheme(target) {
		if !hasHost {
			return [20]byte{}, false
		}
		h.Write([]byte("https://"))
		h.Write(host)
	}
	h.Write(target)
	var k [20]byte
	h.Sum(k[:0])
	return k, true
}

// hasScheme: an absolute-form target ("http://host/...").
func hasScheme(t []byte) bool {
	i := bytes.Index(t, []byte("://"))
	return i > 0
}

// ShortHash is the 32-bit number `show cache` prints for a key (its first
// four bytes, little endian as HAProxy reads them on x86).
func ShortHash(k [20]byte) uint32 {
	return uint32(k[0]) | uint32(k[1])<<8 | uint32(k[2])<<16 | uint32(k[3])<<24
}

// Values calls fn with each comma-separated value of the headers named
// name (lower case), trimmed, commas inside double quotes kept: the values
// HAProxy's http_find_header visits when not asked for full lines.
func Values(hs []http1.Header, name string, fn func(v []byte) bool) {
	for _, h := range hs {
		if !http1.EqualFold(h.Name, name) {
			continue
		}
		v, quoted, start := h.Value, false, 0
		for i := 0; i <= len(v); i++ {
			if i < len(v) {
				switch v[i] {
				case '"':
					quoted = !quoted
					continue
				case ',':
					if quoted {
						continue
					}
				default:
					continue
				}
			}
			if !fn(bytes.Trim(v[start:i], " \t")) {
				return
			}
			start = i + 1
		}
	}
}

// first is the first header named name, whole (full-line lookup).
func first(hs []http1.Header, name string) ([]byte, bool) {
	for _, h := range hs {
		if http1.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return nil, false
}

func hasPrefixFold(v []byte, p string) bool {
	return len(v) >= len(p) && http1.EqualFold(v[:len(p)], p)
}

// Request is what a request says of the cache (cache-use).
type Request struct {
	// Ignore: the cache is not looked up (an HTTP/1.0 request, a method
	// other than GET and HEAD, an Authorization header, Cache-Control
	// max-age, no-cache, max-stale or min-fresh, or a Pragma: no-cache
	// without Cache-Control).
	Ignore bool
	// NoStore: the response may not be stored (Authorization,
	// Cache-Control: no-store) unless it says "public".
	NoStore bool
}

// RequestPolicy is HAProxy 2.6's http_check_request_for_cacheability with
// the version and method checks of cache-use.
func RequestPolicy(http11 bool, method []byte, hs []http1.Header) Request {
	var r Request
	if !http11 || (string(method) != "GET" && string(method) != "HEAD") {
		r.Ignore = true
	}
	pragma := false
	if v, ok := first(hs, "pragma"); ok && http1.EqualFold(v, "no-cache") {
		pragma = true
	}
	if _, ok := first(hs, "authorization"); ok {
		r.NoStore, r.Ignore = true, true
	}
	cc := false
	Values(hs, "cache-control", func(v []byte) bool {
		cc = true
		switch {
		case hasPrefixFold(v, "max-age"), hasPrefixFold(v, "no-cache"), hasPrefixFold(v, "max-stale"), hasPrefixFold(v, "min-fresh"):
			r.Ignore = true
		case hasPrefixFold(v, "no-store"):
			r.NoStore = true
		}
		return true
	})
	if !cc && pragma {
		r.Ignore = true
	}
	return r
}

// Storable is HAProxy 2.6's http_check_response_for_cacheability on a 200
// response, starting from what the request allowed (noStore): whether
// the response may be stored. Vary and sizes are checked by the caller.
func Storable(noStore bool, hs []http1.Header) bool {
	cacheable, cook := !noStore, !noStore
	if v, ok := first(hs, "pragma"); ok && http1.EqualFold(v, "no-cache") {
		return false
	}
	fresh := false
	Values(hs, "cache-control", func(v []byte) bool {
		switch {
		case http1.EqualFold(v, "public"):
			cacheable, cook = true, true
		case http1.EqualFold(v, "private"), http1.EqualFold(v, "no-cache"), http1.EqualFold(v, "no-store"),
			http1.EqualFold(v, "max-age=0"), http1.EqualFold(v, "s-maxage=0"):
			cacheable, cook = false, false
		case hasPrefixFold(v, `no-cache="set-cookie`):
			cook = false
		case hasPrefixFold(v, "s-maxage"), hasPrefixFold(v, "max-age"):
			fresh = true
		}
		return true
	})
	if !fresh {
		_, fresh = first(hs, "expires")
	}
	validator := false
	if !fresh {
		_, validator = first(hs, "etag")
		if !validator {
			_, validator = first(hs, "last-modified")
		}
	}
	return cacheable && cook && (fresh || validator)
}

// directive is the value after "<word>=" when v starts with it.
func directive(v []byte, word string) ([]byte, bool) {
	if !hasPrefixFold(v, word) || len(v) <= len(word) || v[len(word)] != '=' {
		return nil, false
	}
	return v[len(word)+1:], true
}

// leadingInt is strtol's reading of v (after an optional quote): the
// digits it starts with; false when there are none or it is negative.
func leadingInt(v []byte) (int64, bool) {
	if len(v) > 0 && v[0] == '"' {
		v = v[1:]
	}
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	j := i
	if j < len(v) && (v[j] == '+' || v[j] == '-') {
		j++
	}
	k := j
	for k < len(v) && v[k] >= '0' && v[k] <= '9' {
		k++
	}
	if k == j {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v[i:k]), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// MaxAge is HAProxy 2.6's http_calc_maxage: the seconds a stored response
// stays fresh: s-maxage, else max-age, else Expires minus now, each
// capped by the cache's max-age (maxAge); maxAge without any of them.
// false: a malformed s-maxage or max-age value (HAProxy then stores the
// entry already expired).
func MaxAge(hs []http1.Header, maxAge int64, now time.Time) (int64, bool) {
	smax, max := int64(-1), int64(-1)
	bad := false
	Values(hs, "cache-control", func(v []byte) bool {
		if d, ok := directive(v, "s-maxage"); ok {
			n, ok := leadingInt(d)
			if !ok {
				bad = true
				return false
			}
			smax = n
		}
		if d, ok := directive(v, "max-age"); ok {
			n, ok := leadingInt(d)
			if !ok {
				bad = true
				return false
			}
			max = n
		}
		return true
	})
	if bad {
		return -1, false
	}
	expires := int64(-1)
	if max == -1 && smax == -1 {
		if v, ok := first(hs, "expires"); ok {
			expires = 0
			if t, ok := ParseDate(v); ok && t.Unix() >= now.Unix() {
				expires = t.Unix() - now.Unix()
			}
		}
	}
	switch {
	case smax > 0:
		return min(smax, maxAge), true
	case max > 0:
		return min(max, maxAge), true
	case expires >= 0:
		return min(expires, maxAge), true
	}
	return maxAge, true
}

// ParseDate reads an HTTP date in any of its three forms.
func ParseDate(v []byte) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123, "Monday, 02-Jan-06 15:04:05 MST", time.ANSIC} {
		if t, err := time.Parse(layout, string(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// LastModified is the date an If-Modified-Since is compared with: the
// response's Last-Modified, else its Date, else now.
func LastModified(hs []http1.Header, now time.Time) int64 {
	for _, n := range []string{"last-modified", "date"} {
		if v, ok := first(hs, n); ok {
			if t, ok := ParseDate(v); ok && t.Unix() != 0 {
				return t.Unix()
			}
		}
	}
	return now.Unix()
}

// weakTag strips a W/ prefix: HAProxy compares entity tags weakly.
func weakTag(v []byte) []byte {
	if len(v) >= 2 && v[0] == 'W' && v[1] == '/' {
		return v[2:]
	}
	return v
}

// NotModified is HAProxy 2.6's should_send_notmodified_response: whether
// a conditional request gets a 304 from entry e. Any If-None-Match
// decides (a "*" or a weakly equal tag); without one, If-Modified-Since
// at or after the entry's modification date.
func NotModified(e *Entry, hs []http1.Header) bool {
	found, match := false, false
	Values(hs, "if-none-match", func(v []byte) bool {
		found = true
		if string(v) == "*" {
			match = true
			return false
		}
		if len(e.ETag) == 0 {
			return false
		}
		if bytes.Equal(weakTag(v), weakTag(e.ETag)) && len(v) > 0 && v[len(v)-1] == '"' {
			match = true
			return false
		}
		return true
	})
	if match || found {
		return match
	}
	if v, ok := first(hs, "if-modified-since"); ok {
		if t, ok := ParseDate(v); ok {
			return e.lastModified <= t.Unix()
		}
	}
	return false
}

// UnsafeMethod: a method whose 2xx or 3xx response invalidates the entry
// of its key (anything but GET, HEAD, OPTIONS and TRACE).
func UnsafeMethod(m []byte) bool {
	switch string(m) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return false
	}
	return true
}
