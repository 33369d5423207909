// Package expreplace expands HAProxy's regex replacement strings
// (exp_replace): the regsub converter and the replace-* actions share it.
package expreplace

import "strings"

// Write writes subst to out with \0..\9 replaced by the groups of m (a
// submatch index list of src; an unset group writes nothing), \xHH by
// the byte HH, and \ before any other byte by that byte.
func Write(out *strings.Builder, src, subst string, m []int) {
	for i := 0; i < len(subst); i++ {
		c := subst[i]
		if c != '\\' || i+1 >= len(subst) {
			out.WriteByte(c)
			continue
		}
		i++
		switch c = subst[i]; {
		case c >= '0' && c <= '9':
			if n := int(c-'0') * 2; n+1 < len(m) && m[n] >= 0 {
				out.WriteString(src[m[n]:m[n+1]])
			}
		case c == 'x' && i+2 < len(subst):
			out.WriteByte(Unhex(subst[i+1])<<4 + Unhex(subst[i+2]))
			i += 2
		default:
			out.WriteByte(c)
		}
	}
}

// Unhex is the value of a hexadecimal digit (0 for any other byte).
func Unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}
