package haproxy

import (
	"sort"
	"strings"
)

// HAProxy 2.6 caches the result of a string match per (expression,
// sample) in its pattern LRU cache (tune.pattern.cache-size, 10000 by
// default), and the -m sub and -m end matches of one pattern file with the
// same -i share one expression: whichever of the two runs first on a
// string answers for the other (measured with haproxy 2.6.12: with
// "acl e req.hdr(y) -m end -f f" evaluated before "acl s req.hdr(y) -m sub
// -f f", s does not match "7x" when f holds 7; map_end* and map_sub*
// converters of one map file likewise; -m beg, dir, dom, reg, str and the
// other methods keep their own results). The result then depends on the
// order rules ran in on that thread, which goha does not reproduce: such
// a configuration is refused unless tune.pattern.cache-size is 0 (no
// cache: HAProxy then matches as goha does).

// patKey is one shared expression: a file and whether it ignores case.
type patKey struct {
	path  string
	icase bool
}

// patUse is one sub or end match of a file.
type patUse struct {
	method string
	pos    Pos
}

// notePatternUse records an ACL's -f file when it is matched with sub or
// end.
func (s *state) notePatternUse(path string, m MatchMethod, icase bool, p Pos) {
	if m == MatchSub || m == MatchEnd {
		s.addPatUse(patKey{path, icase}, m.String(), p)
	}
}

// noteMapUse records a map_sub*/map_end* converter's map file.
func (s *state) noteMapUse(conv, path string) {
	rest, ok := strings.CutPrefix(conv, "map_")
	if !ok {
		return
	}
	method, _, _ := strings.Cut(rest, "_")
	if method == "sub" || method == "end" {
		s.addPatUse(patKey{path, false}, method, Pos{s.curFile, s.lastLine})
	}
}

func (s *state) addPatUse(k patKey, method string, p Pos) {
	if s.patUses == nil {
		s.patUses = map[patKey][]patUse{}
	}
	s.patUses[k] = append(s.patUses[k], patUse{method, p})
}

// checkPatternCache alerts on each file matched with both sub and end
// (same -i) while the pattern cache is on; it returns true then.
func (s *state) checkPatternCache() bool {
	if s.patternCacheOff() {
		return false
	}
	var keys []patKey
	for k := range s.patUses {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].path < keys[j].path || keys[i].path == keys[j].path && !keys[i].icase
	})
	fatal := false
	for _, k := range keys {
		uses := s.patUses[k]
		first := uses[0]
		for _, u := range uses[1:] {
			if u.method == first.method {
				continue
			}
			s.d.Alertf(u.pos.File, u.pos.Line, "not supported by goha: pattern file '%s' is matched with -m %s here and with -m %s at line %d: HAProxy 2.6's pattern cache answers one of these matches with the other's result (they share one cached expression), which goha does not reproduce; use one of the two methods per file, or set 'tune.pattern.cache-size 0'",
				k.path, u.method, first.method, first.pos.Line)
			fatal = true
			break
		}
	}
	return fatal
}

// patternCacheOff tells whether the global section sets
// tune.pattern.cache-size 0 (the last such line wins).
func (s *state) patternCacheOff() bool {
	off := false
	for _, st := range s.cfg.Global.Raw {
		if len(st.Args) == 2 && st.Args[0] == "tune.pattern.cache-size" {
			off = atoi(st.Args[1]) == 0
		}
	}
	return off
}
