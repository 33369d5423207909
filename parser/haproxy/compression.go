package haproxy

// Compression is a proxy's `compression` statements (HAProxy's struct
// comp). Algos and Types are in HAProxy's list order: each statement puts
// its words in front of what was there (comp_append_algo prepends), so the
// last algorithm written comes first, and a proxy's own come before the
// ones it took from its defaults.
type Compression struct {
	Pos     Pos      // the first compression line
	Algos   []string // "gzip", "deflate", "raw-deflate", "identity"
	Types   []string // `compression type` prefixes (case-insensitive)
	Offload bool     // `compression offload` (never inherited)
}

// inherit is what a proxy takes from its defaults' compression: the
// algorithms and types, not offload (HAProxy's proxy_defproxy_cpy).
func (c *Compression) inherit() *Compression {
	if c == nil {
		return nil
	}
	return &Compression{Pos: c.Pos, Algos: c.Algos, Types: c.Types}
}

// parseCompression reads `compression algo|type|offload`, with HAProxy
// 2.6's alerts for what it refuses.
func (s *state) parseCompression(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	c := px.Compression
	if c == nil {
		c = &Compression{Pos: l.p}
	} else {
		copied := *c // the defaults' lists are shared: never append in place
		c = &copied
	}
	switch l.arg(1) {
	case "algo":
		if len(l.w) < 3 {
			// HAProxy 2.6 names the place twice.
			s.alert(l.p, "parsing [%s:%d] : 'compression' expects <algorithm>.", l.p.File, l.p.Line)
			return false
		}
		c.Algos = prependEach(c.Algos, l.w[2:])
	case "type":
		if len(l.w) < 3 {
			s.alert(l.p, "'compression' expects <type>.")
			return false
		}
		c.Types = prependEach(c.Types, l.w[2:])
	case "offload":
		c.Offload = true
	default:
		s.alert(l.p, "'compression' expects 'algo', 'type' or 'offload'")
		return false
	}
	px.Compression = c
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w})
	return false
}

// globalCompMaxLevel reads tune.comp.maxlevel (1..9).
func (s *state) globalCompMaxLevel(g *Global, l *kwLine) {
	n, end, ok := leadingInt(l.arg(1))
	if !ok || end != len(l.arg(1)) || n < 1 || n > 9 {
		s.alert(l.p, "'tune.comp.maxlevel' expects a numeric value between 1 and 9")
		return
	}
	g.CompMaxLevel = n
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// globalMaxCompRate reads maxcomprate <kB/s> as HAProxy 2.6 does: atoi's
// value times 1024, kept in an unsigned int (-1 is 4294966272, 4194304
// wraps to 0: no limit; measured with show info CompressBpsRateLim).
func (s *state) globalMaxCompRate(g *Global, l *kwLine) {
	if len(l.w) > 2 && l.w[2] != "" {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument in kb/s.", l.kw)
		return
	}
	n, _, _ := leadingInt(l.arg(1))
	g.MaxCompRate = uint32(int32(n) * 1024)
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// prependEach puts each word in front of list, in turn, into a new slice.
func prependEach(list, words []string) []string {
	out := make([]string, 0, len(list)+len(words))
	for i := len(words) - 1; i >= 0; i-- {
		out = append(out, words[i])
	}
	return append(out, list...)
}

// parseFilter reads `filter compression` (one per proxy); the other
// filters stay raw and reported.
func (s *state) parseFilter(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	if l.arg(1) == "cache" {
		s.parseCacheFilter(px, l) // cache.go
		return false
	}
	if l.arg(1) != "compression" || len(l.w) > 2 {
		px.Filters = append(px.Filters, FilterDecl{Kind: l.arg(1), Pos: l.p})
		s.keepUnsupported(px, l)
		return false
	}
	if px.CompressionFilter {
		s.alert(l.p, "'filter' : '%s: Proxy supports only one compression filter\n'", px.Name)
		return false
	}
	px.CompressionFilter = true
	px.Filters = append(px.Filters, FilterDecl{Kind: "compression", Pos: l.p})
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w})
	return false
}
