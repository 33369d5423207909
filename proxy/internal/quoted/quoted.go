// Package quoted finds where an HTTP header value ends when its
// delimiters may stand inside double-quoted strings, as HAProxy 2.6
// scans cookie and list values: a delimiter between double quotes does
// not count, and a backslash inside them escapes the next byte. Cookie
// fetches (proxy/acl) and cookie persistence (proxy/persist) share it.
package quoted

// End is the index of the first ',' in s[i:end] outside double quotes,
// or of the first ';' too when semicolon is set; end when there is none.
func End[T string | []byte](s T, i, end int, semicolon bool) int {
	quoted, pair := false, false
	for ; i < end; i++ {
		c := s[i]
		switch {
		case pair:
			pair = false
		case quoted:
			if c == '\\' {
				pair = true
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ',' || (semicolon && c == ';'):
			return i
		}
	}
	return end
}
