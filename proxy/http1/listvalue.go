package http1

// ListElemEnd is the index in v of the comma that ends v's first list
// element, or len(v): a comma inside a double-quoted string (where a
// backslash escapes the next byte) ends nothing, as in HAProxy 2.6's
// http_find_hdr_value_end, which its header fetches (req.hdr, hdr_cnt,
// ...), replace-value and the Authorization reader split values with. A
// quote left open runs to the end of v.
func ListElemEnd(v string) int {
	quoted, pair := false, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
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
		case c == ',':
			return i
		}
	}
	return len(v)
}

// SplitList cuts v at the commas ListElemEnd finds, untrimmed.
func SplitList(v string) []string {
	var out []string
	for {
		i := ListElemEnd(v)
		out = append(out, v[:i])
		if i == len(v) {
			return out
		}
		v = v[i+1:]
	}
}
