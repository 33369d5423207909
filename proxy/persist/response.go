package persist

import "github.com/goha-lb/goha/proxy/internal/quoted"

// Response is what the response side needs to know of the transaction.
type Response struct {
	// Server is the cookie value of the server that answered ("" = none
	// configured); HasServer is false when no server answered.
	Server    string
	HasServer bool
	Now       int64 // Unix seconds
	// Post: the request method was POST (postonly).
	Post bool
	// Cacheable: the request method is GET, HEAD, OPTIONS or TRACE and
	// the response does not forbid caching (see Cacheable).
	Cacheable bool
}

// SetCookie edits one Set-Cookie header value of the server's response
// (in place) as HAProxy 2.6 does for the backend's persistence cookie. It
// returns the value to send and false when the header is to be removed.
func (c *Cookie) SetCookie(h []byte, r *Request, resp *Response, st *SetState) ([]byte, bool) {
	if r.Ignore {
		return h, true
	}
	end := len(h)
	attBeg := 0
	for attBeg < end && isSPHT(h[attBeg]) {
		attBeg++
	}
	equal, attEnd := attBeg, attBeg
	for equal < end {
		ch := h[equal]
		if ch == '=' || ch == ';' {
			break
		}
		equal++
		if !isSPHT(ch) {
			attEnd = equal
		}
	}
	if equal >= end || h[equal] != '=' {
		return h, true // no '=': ignored
	}
	valBeg := equal + 1
	for valBeg < end && isSPHT(h[valBeg]) {
		valBeg++
	}
	valEnd := quoted.End(h, valBeg, end, true)
	for valEnd > valBeg && isSPHT(h[valEnd-1]) {
		valEnd--
	}
	if attEnd != equal || valBeg > equal+1 {
		shift := 0
		if attEnd != equal {
			copy(h[attEnd:], h[equal:end])
			shift = attEnd - equal
			equal += shift
			valBeg += shift
		}
		if valBeg > equal+1 {
			copy(h[equal+1:], h[valBeg:end+shift])
			d := equal + 1 - valBeg
			valBeg += d
			shift += d
		}
		valEnd += shift
		end += shift
		h = h[:end]
	}
	if attEnd-attBeg != len(c.Name) || string(h[attBeg:attEnd]) != c.Name {
		return h, true
	}
	*st = Found
	switch {
	case c.Preserve:
	case (resp.HasServer && c.Mode == Insert) || (r.Direct && c.Indirect):
		*st = Deleted
		return nil, false
	case resp.HasServer && resp.Server != "" && c.Mode == Rewrite:
		out := make([]byte, 0, len(h)+len(resp.Server))
		out = append(append(append(out, h[:valBeg]...), resp.Server...), h[valEnd:]...)
		*st = Replaced
		return out, true
	case resp.HasServer && resp.Server != "" && c.Mode == Prefix:
		out := make([]byte, 0, len(h)+len(resp.Server)+1)
		out = append(append(out, h[:valBeg]...), resp.Server...)
		out = append(append(out, prefixDelim), h[valBeg:]...)
		*st = Replaced
		return out, true
	}
	return h, true
}

// Insert says whether the proxy adds its Set-Cookie to the response, and
// writes it: the value HAProxy 2.6 writes (dates for maxidle/maxlife,
// path, domains, HttpOnly, Secure, attributes, in that order), and
// whether a "Cache-control: private" follows it (nocache on a cacheable
// response). A server without a cookie value gets a removal cookie.
func (c *Cookie) Insert(r *Request, resp *Response, st *SetState) (setCookie []byte, private bool) {
	if !resp.HasServer || c.Mode != Insert || (*st == Found && c.Preserve) || r.Ignore {
		return nil, false
	}
	refresh := !r.Direct ||
		((c.MaxIdle != 0 || r.LastDate != 0) && (r.LastDate == 0 || r.LastDate-resp.Now < 0)) ||
		(c.MaxLife != 0 && r.FirstDate == 0) ||
		(c.MaxLife == 0 && r.FirstDate != 0)
	if !refresh || (c.PostOnly && !resp.Post) {
		return nil, false
	}
	out := append([]byte(nil), c.Name...)
	if resp.Server == "" {
		out = append(out, "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"...)
	} else {
		out = append(append(out, '='), resp.Server...)
		if c.MaxIdle != 0 || c.MaxLife != 0 {
			out = appendDate(append(out, dateDelim), (resp.Now+3)>>2)
			if c.MaxLife != 0 {
				first := (resp.Now + 3) >> 2
				if r.FirstDate != 0 {
					first = r.FirstDate >> 2
				}
				out = appendDate(append(out, dateDelim), first)
			}
		}
		out = append(out, "; path=/"...)
	}
	if c.Domain != "" {
		out = append(append(out, "; domain="...), c.Domain...)
	}
	if c.HTTPOnly {
		out = append(out, "; HttpOnly"...)
	}
	if c.Secure {
		out = append(out, "; Secure"...)
	}
	if c.Attrs != "" {
		out = append(append(out, "; "...), c.Attrs...)
	}
	*st = Inserted
	if resp.Server != "" && r.Direct {
		*st = Updated // same server, new dates
	}
	return out, c.NoCache && resp.Cacheable
}

// CacheableMethod says whether HAProxy starts a transaction with this
// method as cacheable (RFC 7231 safe methods).
func CacheableMethod(m []byte) bool {
	switch string(m) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// CacheableStatus says whether a response status leaves the transaction
// cacheable (RFC 7231 6.1, cacheable by default); interim responses never
// do.
func CacheableStatus(code int) bool {
	switch code {
	case 200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// Header is one response header field as Cacheable reads it.
type Header struct{ Name, Value []byte }

// Cacheable applies HAProxy 2.6's reading of a response's Pragma and
// Cache-Control fields to a transaction that is cacheable so far.
// Pragma is taken whole; Cache-Control is read per comma-separated value,
// last word winning: "public" makes it cacheable again, "private",
// "no-cache", "no-store", "max-age=0", "s-maxage=0" not. A response with
// neither freshness information (max-age, s-maxage, Expires) nor a
// validator (ETag, Last-Modified) is not cacheable either.
func Cacheable(cacheable bool, hdrs []Header) bool {
	fresh, validator := false, false
	for _, h := range hdrs {
		if foldEq(h.Name, "pragma") {
			if foldEq(trimSP(h.Value), "no-cache") {
				return false
			}
			break // HAProxy looks at the first Pragma only
		}
	}
	for _, h := range hdrs {
		if !foldEq(h.Name, "cache-control") {
			continue
		}
		for _, v := range splitComma(h.Value) {
			switch {
			case foldEq(v, "public"):
				cacheable = true
			case foldEq(v, "private"), foldEq(v, "no-cache"), foldEq(v, "no-store"),
				foldEq(v, "max-age=0"), foldEq(v, "s-maxage=0"):
				cacheable = false
			case prefixFold(v, "s-maxage"), prefixFold(v, "max-age"):
				fresh = true
			}
		}
	}
	for _, h := range hdrs {
		switch {
		case foldEq(h.Name, "expires"):
			fresh = true
		case foldEq(h.Name, "etag"), foldEq(h.Name, "last-modified"):
			validator = true
		}
	}
	return cacheable && (fresh || validator)
}

func prefixFold(v []byte, p string) bool { return len(v) >= len(p) && foldEq(v[:len(p)], p) }

func trimSP(v []byte) []byte {
	for len(v) > 0 && isSPHT(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isSPHT(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

// splitComma splits a field value at commas outside double quotes, each
// part trimmed, empty parts dropped.
func splitComma(v []byte) [][]byte {
	var out [][]byte
	start, quoted := 0, false
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			c := v[i]
			if c == '"' {
				quoted = !quoted
			}
			if c != ',' || quoted {
				continue
			}
		}
		if p := trimSP(v[start:i]); len(p) > 0 {
			out = append(out, p)
		}
		start = i + 1
	}
	return out
}

func foldEq(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x := a[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != b[i] {
			return false
		}
	}
	return true
}

// SetCookie2 is SetCookie for a Set-Cookie2 header (RFC 2965), which may
// carry several comma-separated cookies: the persistence cookie among
// them is deleted, rewritten or prefixed in place, the others are kept.
// HAProxy 2.6 reads the Set-Cookie2 headers after every Set-Cookie.
//
// Byte for byte as 2.6.12 sends it: deleting a cookie from the middle of
// the field moves what follows but leaves the field's length as it was,
// so the field ends with a copy of its old tail (until a later edit of
// the same field sets its length again).
func (c *Cookie) SetCookie2(h []byte, r *Request, resp *Response, st *SetState) ([]byte, bool) {
	if r.Ignore {
		return h, true
	}
	end := len(h)
	block := end // the field's length as HAProxy keeps it
	var next int
	for prev, first := 0, true; prev < end; prev, first = next, false {
		var attBeg, attEnd, equal, valBeg, valEnd int
		attBeg, attEnd, equal, valBeg, valEnd, next = scanPair(h, prev, end, first)
		if next < end {
			next = quoted.End(h, next, end, false) // past this cookie's attributes
		}
		if equal == valEnd {
			continue
		}
		if attEnd != equal || valBeg > equal+1 {
			valBeg, valEnd, next, end = squeezeEqual(h, attEnd, equal, valBeg, valEnd, next, end)
			block = end
		}
		if attEnd-attBeg != len(c.Name) || string(h[attBeg:attEnd]) != c.Name {
			continue
		}
		*st = Found
		switch {
		case c.Preserve:
		case (resp.HasServer && c.Mode == Insert) || (r.Direct && c.Indirect):
			*st = Deleted
			if prev == 0 && next == end {
				return nil, false
			}
			var d int
			_, prev, d = delValue(h[:end], prev, next)
			next = prev // as HAProxy: the loop goes on one past it
			end += d
		case resp.HasServer && resp.Server != "" && (c.Mode == Rewrite || c.Mode == Prefix):
			var out []byte
			out = append(out, h[:valBeg]...)
			out = append(out, resp.Server...)
			if c.Mode == Prefix {
				out = append(append(out, prefixDelim), h[valBeg:block]...)
			} else {
				out = append(out, h[valEnd:block]...)
			}
			d := len(out) - block
			h, end, next, block = out, end+d, next+d, block+d
			*st = Replaced
		}
	}
	return h[:block], true
}
