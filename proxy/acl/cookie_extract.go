package acl

import (
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/quoted"
)

// Cookie header parsing as HAProxy 2.6 does it (http.c's cookie value
// extraction), rules measured against haproxy 2.6.12 in
// proxy/haproxycfg's TestSuffixACLDifferential and TestCookieEdgesDifferential:
//   - the scan of a header value goes on while more than len(name)+1 bytes
//     are left from the start of the next cookie (its leading spaces
//     included): "sid=" alone at the end of a header is no sid cookie, " sid="
//     (after "a=1;") is one with an empty value;
//   - a name is trimmed of spaces around it; a name starting with '$' is
//     an attribute, and a cookie without '=' is skipped;
//   - a value is trimmed of spaces, and ends at ';' or ',' outside double
//     quotes (a backslash escapes the next byte inside quotes);
//   - the name search stops at ';' (and ',' when the header is a list,
//     Cookie); in a Set-Cookie (no list) the search stops at the first
//     name=value of another name.

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

// eachCookie calls f with the value of each cookie called name (any name
// when name is "") in the header value hdr, in order, until f returns true;
// it tells whether f did. list is true for Cookie headers, false for
// Set-Cookie.
func eachCookie(hdr, name string, list bool, f func(v string) bool) bool {
	next := 0
	for att := 0; att+len(name)+1 < len(hdr); att = next + 1 {
		for att < len(hdr) && isSPHT(hdr[att]) {
			att++
		}
		equal, attEnd := att, att
		for equal < len(hdr) {
			c := hdr[equal]
			if c == '=' || c == ';' || (list && c == ',') {
				break
			}
			equal++
			if !isSPHT(c) {
				attEnd = equal
			}
		}
		var valBeg, valEnd int
		if equal < len(hdr) && hdr[equal] == '=' {
			valBeg = equal + 1
			for valBeg < len(hdr) && isSPHT(hdr[valBeg]) {
				valBeg++
			}
			next = quoted.End(hdr, valBeg, len(hdr), true)
			valEnd = next
			for valEnd > valBeg && isSPHT(hdr[valEnd-1]) {
				valEnd--
			}
		} else {
			valBeg, valEnd, next = equal, equal, equal
		}
		if att < len(hdr) && hdr[att] == '$' {
			continue
		}
		if equal == next {
			continue
		}
		if name == "" || hdr[att:attEnd] == name {
			if f(hdr[valBeg:valEnd]) {
				return true
			}
			continue
		}
		if !list {
			break
		}
	}
	return false
}

// eachCookieElem is eachCookie over each comma-separated element of a
// Cookie header value (outside quotes, trimmed), as HAProxy 2.6 reads a
// Cookie header value by value: the end of the scan is the end of the
// element, so "s=,1" holds no s cookie (found by TestFetchFuzzDifferential).
func eachCookieElem(hdr, name string, f func(v string) bool) bool {
	for {
		i := http1.ListElemEnd(hdr)
		if eachCookie(trimOWS(hdr[:i]), name, true, f) {
			return true
		}
		if i == len(hdr) {
			return false
		}
		hdr = hdr[i+1:]
	}
}
