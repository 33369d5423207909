package acl

// strMatch is a string method: the value matches when test(value, pattern)
// holds for one pattern, both lowered under -i. Lowering is ASCII only,
// byte by byte, as HAProxy's (C locale): "É" is not "é" under -i (found
// by TestACLFuzzDifferential). Under -i, foldTest (when set) compares the
// value with a lowered pattern as test would with the value lowered,
// without making the lowered copy (an allocation per request for a value
// with capitals, a browser's User-Agent).
func strMatch(test, foldTest func(v, p string) bool) matchBuilder {
	return func(pats []string, ci bool) (func(string) bool, error) {
		ps := make([]string, len(pats))
		for i, p := range pats {
			if ci {
				p = asciiLower(p)
			}
			ps[i] = p
		}
		if !ci {
			return func(v string) bool { return anyPattern(v, ps, test) }, nil
		}
		return func(v string) bool {
			if foldTest != nil {
				return anyPattern(v, ps, foldTest)
			}
			return anyPattern(asciiLower(v), ps, test)
		}, nil
	}
}

func anyPattern(v string, ps []string, test func(v, p string) bool) bool {
	for _, p := range ps {
		if test(v, p) {
			return true
		}
	}
	return false
}

// setMin is how many -m str patterns make a set worth its lookup.
const setMin = 8

// exactMatch is -m str: the value equals a pattern. Many patterns (a -f
// file of host names) are looked up in a set rather than compared one
// by one.
func exactMatch(pats []string, ci bool) (func(string) bool, error) {
	if len(pats) < setMin {
		if !ci {
			return func(v string) bool { return anyPattern(cString(v), pats, func(v, p string) bool { return v == p }) }, nil
		}
		return strMatch(func(v, p string) bool { return v == p }, equalFold)(pats, ci)
	}
	set := make(map[string]struct{}, len(pats))
	for _, p := range pats {
		if ci {
			p = asciiLower(p)
		}
		set[p] = struct{}{}
	}
	return func(v string) bool {
		if ci && !isLowerASCII(v) {
			v = asciiLower(v)
		}
		if !ci {
			v = cString(v)
		}
		_, ok := set[v]
		return ok
	}, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isLowerASCII: s is ASCII without capitals (asciiLower gives s).
func isLowerASCII(s string) bool {
	for i := range len(s) {
		if c := s[i]; c >= 0x80 || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// lowerByte is c with an ASCII capital lowered.
func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold says whether v lowered (ASCII) is p.
func equalFold(v, p string) bool {
	if len(v) != len(p) {
		return false
	}
	for i := range len(v) {
		if lowerByte(v[i]) != p[i] {
			return false
		}
	}
	return true
}

func hasPrefixFold(v, p string) bool { return len(v) >= len(p) && equalFold(v[:len(p)], p) }

func hasSuffixFold(v, p string) bool { return len(v) >= len(p) && equalFold(v[len(v)-len(p):], p) }

// containsFold is strings.Contains of v lowered (ASCII) and p.
func containsFold(v, p string) bool {
	for i := 0; i+len(p) <= len(v); i++ {
		if equalFold(v[i:i+len(p)], p) {
			return true
		}
	}
	return false
}

// cString is s up to its first NUL byte: HAProxy looks -m str (without
// -i) and map_str keys up in a tree of C strings, where a sample "a\x00b"
// is "a" (found by TestMapFuzzDifferential).
func cString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}
