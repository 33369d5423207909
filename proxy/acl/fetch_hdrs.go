package acl

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/hashfn"
)

// Typed forms of the header, cookie and URL fetches (HAProxy 2.6
// http_fetch.c): _ip reads an address, _val an integer (strl2ic), the
// whole header block as text or binary, and the base/url hashes with the
// source address.
func init() {
	str, sint, bin, ip := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin, haproxy.SampleIPv4
	hdrIP := fetchDef{out: ip, use: useReqHeader, build: headerFetch(splitValues, false), lastInSample: true, post: headerIP}
	hdrVal := fetchDef{out: sint, use: useReqHeader, build: headerFetch(splitValues, false), lastInSample: true, post: strl2ic}
	resIP := fetchDef{out: ip, use: useResHeader, build: resHeaderFetch(splitValues, false), lastInSample: true, post: headerIP}
	resVal := fetchDef{out: sint, use: useResHeader, build: resHeaderFetch(splitValues, false), lastInSample: true, post: strl2ic}
	cookVal := fetchDef{out: sint, use: useReqHeader, build: cookieFetch, lastInSample: true, post: strl2ic}
	scookVal := fetchDef{out: sint, use: useResHeader, build: oneName(setCookie), lastInSample: true, post: strl2ic}
	scookCnt := fetchDef{out: sint, use: useResHeader, build: setCookieCount}
	rows := map[string]fetchDef{
		"hdr_ip": hdrIP, "req.hdr_ip": hdrIP, "hdr_val": hdrVal, "req.hdr_val": hdrVal,
		"res.hdr_ip": resIP, "shdr_ip": resIP, "res.hdr_val": resVal, "shdr_val": resVal,
		"cook_val": cookVal, "req.cook_val": cookVal, "res.cook_val": scookVal, "scook_val": scookVal,
		"res.cook_cnt": scookCnt, "scook_cnt": scookCnt,
		"urlp_val": {out: sint, use: useReqHeader, build: urlParamFetch, post: strl2ic},

		"req.hdrs":     {out: str, use: useReqHeader, build: noArgs(headerBlock(false, false))},
		"req.hdrs_bin": {out: bin, use: useReqHeader, build: noArgs(headerBlock(false, true))},
		"res.hdrs":     {out: str, use: useResHeader, build: noArgs(headerBlock(true, false))},
		"res.hdrs_bin": {out: bin, use: useResHeader, build: noArgs(headerBlock(true, true))},

		"baseq": {out: str, use: useReqHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			p, _ := parsePath(bstr(r.Target)) // base alone without a path
			return r.Target != nil && yield(strValue(string(hostFor(r))+p))
		})},
		"base32+src": {out: bin, use: useReqHeader, build: noArgs(withSrc(fetchBase32))},
		"url32":      {out: sint, use: useReqHeader, build: noArgs(fetchURL32)},
		"url32+src":  {out: bin, use: useReqHeader, build: noArgs(withSrc(fetchURL32))},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// headerIP reads a header value as HAProxy's hdr_ip does: a dotted quad
// alone or followed by ":<port>" (0-65535), else the whole value as an
// IPv6 address; otherwise no value.
func headerIP(v *value) bool {
	if a, n, ok := leadingIPv4(v.s); ok && (n == len(v.s) || v.s[n] == ':' && validPort(v.s[n+1:])) {
		*v = value{t: haproxy.SampleIPv4, a: a}
		return true
	}
	if a, err := netip.ParseAddr(v.s); err == nil && a.Is6() && a.Zone() == "" {
		*v = value{t: haproxy.SampleIPv6, a: a}
		return true
	}
	return false
}

// leadingIPv4 is HAProxy's url2ipv4: four dot-separated decimal octets
// (leading zeros allowed, each at most 255) up to the first byte that is
// neither a digit nor a dot, and how many bytes they took.
func leadingIPv4(s string) (netip.Addr, int, bool) {
	var oct [4]byte
	n, cur, digit := 0, 0, false
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			cur = cur*10 + int(c-'0')
			if cur > 255 {
				return netip.Addr{}, 0, false
			}
			if !digit {
				if n++; n > 4 {
					return netip.Addr{}, 0, false
				}
				digit = true
			}
			oct[n-1] = byte(cur)
		case c == '.':
			if !digit || n == 4 {
				return netip.Addr{}, 0, false
			}
			cur, digit = 0, false
		default:
			if n < 4 {
				return netip.Addr{}, 0, false
			}
			return netip.AddrFrom4(oct), i, true
		}
	}
	if n < 4 {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4(oct), i, true
}

// validPort: decimal digits only (at least one), at most 65535.
func validPort(s string) bool {
	if s == "" {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if n = n*10 + int(s[i]-'0'); n > 65535 {
			return false
		}
	}
	return true
}

// strl2ic is HAProxy's strl2ic: a decimal integer read in a 32-bit int
// up to the first byte above '9'; bytes below '0' are not refused but
// added as negative digits (so "1.5" reads 85), as HAProxy computes it.
func strl2ic(v *value) bool {
	s := v.s
	var n int32
	if len(s) > 0 && s[0] == '-' {
		for i := 1; i < len(s); i++ {
			d := int32(s[i]) - '0'
			if d > 9 {
				break
			}
			n = n*10 - d
		}
	} else {
		for i := 0; i < len(s); i++ {
			d := int32(s[i]) - '0'
			if d > 9 {
				break
			}
			n = n*10 + d
		}
	}
	*v = value{t: haproxy.SampleSInt, i: int64(n)}
	return true
}

// setCookieCount is res.cook_cnt([<name>]): the Set-Cookie headers whose
// cookie is name; without a name, every name=value pair of every
// Set-Cookie line, attributes included ("a=1; Path=/" counts 2), as
// HAProxy 2.6.12 counts them (TestFetchBreadthDifferential;
// cookie_extract.go).
func setCookieCount(args []haproxy.Arg) (fetchFunc, error) {
	name := ""
	if len(args) == 1 {
		name = args[0].Str
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		n := 0
		forEachSetCookie(r, name, func(string) bool { n++; return false })
		return yield(value{t: haproxy.SampleSInt, i: int64(n)})
	}, nil
}

// headerBlock is req.hdrs/res.hdrs (text: "name: value\r\n" per field and
// the empty line) and their _bin forms (each name and value preceded by
// its length as HAProxy's varint, two zero lengths at the end); names
// lower-cased as HAProxy stores them, without the Connection field its
// parser drops.
func headerBlock(res, binary bool) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		hs := r.Headers()
		if res {
			hs = r.ResponseHeaders()
			if hs == nil {
				return false
			}
		}
		var b []byte
		for _, h := range hs {
			if http1.EqualFold(h.Name, "connection") && onlyHopTokens(bstr(h.Value)) {
				continue
			}
			if binary {
				b = appendVarint(b, uint64(len(h.Name)))
				b = appendLower(b, h.Name)
				b = appendVarint(b, uint64(len(h.Value)))
				b = append(b, h.Value...)
				continue
			}
			b = appendLower(b, h.Name)
			b = append(b, ": "...)
			b = append(b, h.Value...)
			b = append(b, "\r\n"...)
		}
		t := haproxy.SampleBin
		if binary {
			b = append(b, 0, 0)
		} else {
			b = append(b, "\r\n"...)
			t = haproxy.SampleStr
		}
		return yield(value{t: t, s: string(b)})
	}
}

func appendLower(b, s []byte) []byte {
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// appendVarint is HAProxy's encode_varint: below 240 one byte; else the
// low bits with 0xF0, then 7-bit groups with 0x80 on all but the last.
func appendVarint(b []byte, i uint64) []byte {
	if i < 240 {
		return append(b, byte(i))
	}
	b = append(b, byte(i)|240)
	i = (i - 240) >> 4
	for i >= 128 {
		b = append(b, byte(i)|128)
		i = (i - 128) >> 7
	}
	return append(b, byte(i))
}

// fetchURL32 is url32: base32's hash over the Host and the path with its
// query (an absolute URI's scheme and authority left out).
func fetchURL32(r *proxy.RequestInfo, yield func(value) bool) bool {
	return fetchPathQ(r, func(v value) bool {
		h := hashfn.SDBMFrom(hashfn.SDBM(bstr(hostFor(r))), v.s)
		return yield(value{t: haproxy.SampleSInt, i: int64(hashfn.FullHash(h))})
	})
}

// withSrc is the "+src" form of a 32-bit hash fetch: the hash as four
// big-endian bytes then the source address's bytes (4 or 16).
func withSrc(f fetchFunc) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return f(r, func(v value) bool {
			if !r.Src.IsValid() {
				return false
			}
			b := binary.BigEndian.AppendUint32(nil, uint32(v.i))
			a := r.Src.Addr().Unmap()
			b = append(b, a.AsSlice()...)
			return yield(value{t: haproxy.SampleBin, s: string(b)})
		})
	}
}

// url_ip and url_port read an absolute "http://" URI whose host is a
// dotted quad, as HAProxy's url2sa does (the port defaults to 80); a
// relative URI or a name has no sample. req_ver and resp_ver are the old
// names of req.ver and res.ver; proc is always 1 (one process).
func init() {
	sint := haproxy.SampleSInt
	fetches["url_ip"] = fetchDef{out: haproxy.SampleIPv4, use: useReqHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		a, _, ok := urlAddr(bstr(r.Target))
		return ok && yield(value{t: haproxy.SampleIPv4, a: a})
	})}
	fetches["url_port"] = fetchDef{out: sint, use: useReqHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		_, p, ok := urlAddr(bstr(r.Target))
		return ok && yield(value{t: sint, i: int64(p)})
	})}
	fetches["req_ver"] = fetchDef{out: haproxy.SampleStr, use: useReqHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, ok := strings.CutPrefix(bstr(r.Version()), "HTTP/")
		return ok && yield(strValue(v))
	})}
	fetches["resp_ver"] = fetchDef{out: haproxy.SampleStr, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, ok := strings.CutPrefix(bstr(r.ResponseVersion()), "HTTP/")
		return ok && yield(strValue(v))
	})}
	fetches["proc"] = fetchDef{out: sint, layer4: true, build: noArgs(func(_ *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(value{t: sint, i: 1})
	})}
}

// urlAddr is the IPv4 address and port of an absolute http:// URI.
func urlAddr(u string) (netip.Addr, int, bool) {
	if len(u) < 7 || !strings.EqualFold(u[:7], "http://") {
		return netip.Addr{}, 0, false
	}
	rest := u[7:]
	a, n, ok := leadingIPv4(rest)
	if !ok {
		return netip.Addr{}, 0, false
	}
	port := 80
	if n < len(rest) && rest[n] == ':' {
		port = 0
		for n++; n < len(rest) && rest[n] >= '0' && rest[n] <= '9'; n++ {
			port = port*10 + int(rest[n]-'0')
		}
	}
	return a, port, true
}
