package haproxy

// The global keywords that bound a message head: tune.bufsize,
// tune.maxrewrite and tune.http.maxhdr. HAProxy 2.6 reads their numbers
// with atol/atoi (a leading number, trailing bytes ignored, none is 0)
// and checks only what its cfgparse-global.c checks (measured with -c).

// minBufSize is the smallest tune.bufsize goha runs: below it the request
// buffer HAProxy's H1 mux leaves for a head (64 bytes less) and the HTX
// room (48 less) are a few bytes, a configuration no one serves with.
const minBufSize = 1024

// globalTuneBufsize reads tune.bufsize, rounded up to 16 bytes as
// HAProxy rounds it for the alignment of its buffers.
func (s *state) globalTuneBufsize(g *Global, l *kwLine) {
	if !s.tuneHasArg(l) {
		return
	}
	n := atoi(l.arg(1))
	n = (n + 15) &^ 15
	if n <= 0 {
		s.alert(l.p, "'%s' expects a positive integer argument.", l.kw)
		return
	}
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
	if n < minBufSize || n > 1<<30 {
		s.d.Unsupported(l.p.File, l.p.Line, l.kw+" "+l.arg(1))
		return
	}
	g.BufSize = int(n)
}

// globalTuneMaxRewrite reads tune.maxrewrite (0 allowed).
func (s *state) globalTuneMaxRewrite(g *Global, l *kwLine) {
	if !s.tuneHasArg(l) {
		return
	}
	n := atoi(l.arg(1))
	if n < 0 {
		s.alert(l.p, "'%s' expects a positive integer argument.", l.kw)
		return
	}
	v := int(min(n, 1<<30))
	g.MaxRewrite = &v
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// globalTuneMaxHdr reads tune.http.maxhdr, 1..32767.
func (s *state) globalTuneMaxHdr(g *Global, l *kwLine) {
	if !s.tuneHasArg(l) {
		return
	}
	n := int32(atoi(l.arg(1))) // atoi's int
	if n < 1 || n > 32767 {
		s.alert(l.p, "'%s' expects a numeric value between 1 and 32767", l.kw)
		return
	}
	g.MaxHeaders = int(n)
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// tuneHasArg checks the one argument these keywords take.
func (s *state) tuneHasArg(l *kwLine) bool {
	switch {
	case len(l.w) > 2:
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return false
	case l.arg(1) == "":
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return false
	}
	return true
}

// globalAnyMethodPayload reads h1-accept-payload-with-any-method.
func (s *state) globalAnyMethodPayload(g *Global, l *kwLine) {
	g.AnyMethodPayload = true
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// globalLogURILen reads tune.http.logurilen; HAProxy keeps its value plus
// one, the size of the buffer the request line is copied into for the
// log.
func (s *state) globalLogURILen(g *Global, l *kwLine) {
	if n, ok := s.tuneSizePlusOne(g, l); ok {
		g.LogURILen = n
	}
}

// globalCookieLen reads tune.http.cookielen; HAProxy keeps its value plus
// one, and a later `capture cookie ... len` must be below that (capture.go).
func (s *state) globalCookieLen(g *Global, l *kwLine) {
	if n, ok := s.tuneSizePlusOne(g, l); ok {
		g.CookieLen = n
	}
}

// tuneSizePlusOne reads a tune.http length as HAProxy keeps it: the value
// plus one. A negative value, which HAProxy takes as a buffer of no or
// negative size, is refused.
func (s *state) tuneSizePlusOne(g *Global, l *kwLine) (int, bool) {
	if !s.tuneHasArg(l) {
		return 0, false
	}
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
	n := atoi(l.arg(1))
	if n < 0 || n > 1<<20 {
		s.d.Unsupported(l.p.File, l.p.Line, l.kw+" "+l.arg(1))
		return 0, false
	}
	return int(n) + 1, true
}
