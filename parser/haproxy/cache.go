package haproxy

import (
	"fmt"
	"strconv"
)

// CacheSection is one `cache` section, typed: HAProxy 2.6's small object
// cache (proxy/cache runs it).
type CacheSection struct {
	Name string
	Pos  Pos
	// TotalMaxSize is in megabytes (1 to 4095); MaxObjectSize in bytes
	// (0: a 256th of the total); MaxAge in seconds (60 unless set).
	TotalMaxSize  int
	MaxObjectSize int
	MaxAge        int
	// ProcessVary is process-vary on, at ProcessVaryPos.
	ProcessVary    bool
	ProcessVaryPos Pos
	// MaxSecondaryEntries is max-secondary-entries (10 unless set).
	MaxSecondaryEntries int
}

// cacheHeader checks a cache section's name as HAProxy's cfg_parse_cache
// does; true = abort.
func (s *state) cacheHeader(p Pos, name string) bool {
	if len(name) > 32 {
		s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: cache name is limited to 32 characters, truncate to '%s'.", p.File, p.Line, name[:32]))
		name = name[:32]
	}
	for _, c := range s.cfg.Caches {
		if c.Name == name {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: Duplicate cache name '%s'.", p.File, p.Line, name))
			s.fileFatal, s.abort = true, true
			return true
		}
	}
	return false
}

// cacheStatement validates one statement of a cache section the way
// HAProxy 2.6's cfg_parse_cache does; true = abort.
func (s *state) cacheStatement(p Pos, w []string) bool {
	arg := ""
	if len(w) > 1 {
		arg = w[1]
	}
	raw := func(sev Severity, format string, a ...any) {
		s.d.Raw(sev, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: ", p.File, p.Line)+fmt.Sprintf(format, a...))
	}
	stop := func() bool {
		s.fileFatal, s.abort = true, true
		return true
	}
	if len(w) > 2 {
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", w[0], w[2])
		return stop()
	}
	switch w[0] {
	case "total-max-size":
		if !allDigits(arg) {
			raw(Warning, "total-max-size wrong value '%s'", arg)
			return stop()
		}
		if n, err := strconv.ParseUint(arg, 10, 64); err != nil || n > 4095 {
			raw(Warning, "\"total-max-size\" (%s) must not be greater than 4095", arg)
			return stop()
		}
	case "max-age":
		if arg == "" {
			raw(Warning, "'max-age' expects an age parameter in seconds.")
		}
	case "max-object-size":
		if arg == "" {
			raw(Warning, "'max-object-size' expects a maximum file size parameter in bytes.")
		}
		if !allDigits(arg) {
			raw(Warning, "max-object-size wrong value '%s'", arg)
			return stop()
		}
	case "process-vary":
		if arg != "on" && arg != "off" {
			raw(Warning, "'process-vary' expects \"on\" or \"off\" (enable or disable vary processing).")
		}
	case "max-secondary-entries":
		if arg == "" {
			raw(Warning, "'max-secondary-entries' expects a strictly positive number.")
		}
		if n, err := strconv.ParseUint(arg, 10, 32); err != nil || n == 0 || !allDigits(arg) {
			raw(Warning, "max-secondary-entries wrong value '%s'", arg)
			return stop()
		}
	}
	return false
}

// cacheEnd types a complete cache section, with HAProxy's checks.
func (s *state) cacheEnd(sec *Section) {
	c := CacheSection{Name: sec.Name, Pos: sec.Pos, MaxAge: 60, MaxSecondaryEntries: 10}
	if len(c.Name) > 32 {
		c.Name = c.Name[:32]
	}
	for _, st := range sec.Statements {
		arg := ""
		if len(st.Args) > 1 {
			arg = st.Args[1]
		}
		n, _ := strconv.ParseUint(arg, 10, 32)
		switch st.Args[0] {
		case "total-max-size":
			c.TotalMaxSize = int(n)
		case "max-object-size":
			c.MaxObjectSize = int(n)
		case "max-age":
			c.MaxAge = atoiPrefix(arg)
		case "process-vary":
			switch arg {
			case "on":
				c.ProcessVary, c.ProcessVaryPos = true, st.Pos
			case "off":
				c.ProcessVary = false
			}
		case "max-secondary-entries":
			c.MaxSecondaryEntries = int(n)
		}
	}
	if c.TotalMaxSize <= 0 {
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Size not specified for cache '%s'", c.Name))
		s.fileFatal = true
		return
	}
	if half := c.TotalMaxSize * 1024 * 1024 / 2; c.MaxObjectSize > half {
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : \"max-object-size\" is limited to an half of \"total-max-size\" => %d", half))
		s.fileFatal = true
		return
	}
	s.cfg.Caches = append(s.cfg.Caches, c)
}

// atoiPrefix is C's atoi: the leading decimal number, 0 when none.
func atoiPrefix(v string) int {
	i, neg := 0, false
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		neg = v[i] == '-'
		i++
	}
	n := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(v[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// CacheNamed is the typed cache section called name, or nil.
func (c *Config) CacheNamed(name string) *CacheSection {
	for i := range c.Caches {
		if c.Caches[i].Name == name {
			return &c.Caches[i]
		}
	}
	return nil
}

// FilterDecl is one of a proxy's filters in declaration order: `filter
// cache <name>` and `filter compression` lines, and the cache filter a
// cache-use or cache-store rule declares implicitly when no filter line
// named its cache before it.
type FilterDecl struct {
	Kind     string // "cache", "compression", or another filter (refused)
	Name     string // the cache's
	Implicit bool
	Pos      Pos
}

// parseCacheFilter reads `filter cache <name>` (HAProxy's
// parse_cache_flt): it replaces an implicit declaration of the same
// cache, keeping its place.
func (s *state) parseCacheFilter(px *Proxy, l *kwLine) {
	if len(l.w) < 3 {
		s.alert(l.p, "'filter' : 'cache : expects a <name> argument'")
		return
	}
	if len(l.w) > 3 {
		s.alert(l.p, "'filter cache' : unknown keyword '%s'.", l.w[3])
		return
	}
	for i, f := range px.Filters {
		if f.Kind != "cache" || f.Name != l.w[2] {
			continue
		}
		if !f.Implicit {
			s.alert(l.p, "'filter' : '%s: multiple explicit declarations of the cache filter '%s''", px.Name, l.w[2])
			return
		}
		px.Filters = append(px.Filters[:i], px.Filters[i+1:]...)
		break
	}
	px.Filters = append(px.Filters, FilterDecl{Kind: "cache", Name: l.w[2], Pos: l.p})
}

// implicitCacheFilter is the cache filter a cache-use or cache-store rule
// declares when none names its cache yet.
func (s *state) implicitCacheFilter(px *Proxy, name string, p Pos) {
	for _, f := range px.Filters {
		if f.Kind == "cache" && f.Name == name {
			return
		}
	}
	px.Filters = append(px.Filters, FilterDecl{Kind: "cache", Name: name, Implicit: true, Pos: p})
}

// cacheFilterChecks is HAProxy's cache_store_check for each of px's cache
// filters: the cache must exist, no `filter compression` may come before
// it, and an implicit one allows no filter but compression beside it.
func (s *state) cacheFilterChecks(px *Proxy) bool {
	fatal := false
	what := "proxy"
	switch px.Kind {
	case "frontend", "backend":
		what = px.Kind
	}
	for _, c := range px.Filters {
		if c.Kind != "cache" {
			continue
		}
		if s.cfg.CacheNamed(c.Name) == nil {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : config: %s '%s': unable to find the cache '%s' referenced by the filter 'cache'.", what, px.Name, c.Name))
			fatal = true
			continue
		}
		comp := false
		for _, f := range px.Filters {
			switch {
			case f == c:
				if comp {
					s.d.Raw(Alert, "", 0, fmt.Sprintf("config : config: %s '%s': unable to enable the compression filter before the cache '%s'.", what, px.Name, c.Name))
					return true
				}
			case f.Kind == "compression":
				comp = true
			case f.Kind == "fcgi-app":
			case f.Kind != "cache" && c.Implicit:
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : config: %s '%s': require an explicit filter declaration to use the cache '%s'.", what, px.Name, c.Name))
				return true
			}
		}
	}
	return fatal
}
