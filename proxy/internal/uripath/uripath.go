// Package uripath finds the path of an HTTP request target as HAProxy
// 2.6 does (http_parse_path), for the fetches that read it (proxy/acl)
// and for `balance uri path-only` (proxy/balance).
package uripath

import "strings"

// Path is the path of the request target t: an origin-form target is
// its own path; an absolute URI's path starts at the first '/' after its
// scheme's "://" (a scheme being a letter, then letters, digits, '+',
// '-' or '.'); "*", an authority (a CONNECT's host:port), an absolute
// URI with no '/' after its authority and anything else have none (ok
// false). The query string, if any, is kept.
func Path(t string) (path string, ok bool) {
	if t == "" || t[0] == '*' {
		return "", false
	}
	if t[0] == '/' {
		return t, true
	}
	if !isAlpha(t[0]) {
		return "", false
	}
	i := 1
	for i < len(t) && (isAlpha(t[i]) || t[i] >= '0' && t[i] <= '9' || t[i] == '+' || t[i] == '-' || t[i] == '.') {
		i++
	}
	if !strings.HasPrefix(t[i:], "://") {
		return "", false
	}
	rest := t[i+3:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return "", false
	}
	return rest[j:], true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
