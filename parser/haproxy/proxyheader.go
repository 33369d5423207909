package haproxy

// defaultsUse records how a named defaults section is used: HAProxy 2.6
// alerts (without failing the check) when one section is both named by
// "from" and taken implicitly as the last defaults, at each use of the
// second kind.
func (s *state) defaultsUse(p Pos, def *Proxy, explicit bool) {
	if def == nil || def.Name == "" {
		return
	}
	if s.defaultsRefs == nil {
		s.defaultsRefs = map[*Proxy]int{}
	}
	use := 1 // implicit
	if explicit {
		use = 2
	}
	if s.defaultsRefs[def]&^use != 0 {
		s.d.Alertf(p.File, p.Line, "defaults section '%s' (declared at %s:%d) is explicitly referenced by another proxy and implicitly used here. "+
			"To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
			def.Name, def.Pos.File, def.Pos.Line)
	}
	s.defaultsRefs[def] |= use
}

// headerExtraArgs applies HAProxy 2.6's rule for words after a proxy's
// name: only "from <defaults>" may follow. Anything else (typically the
// pre-1.5 "listen NAME ADDR:PORT" form) is refused for a section that can
// accept connections ("please use the 'bind' keyword"), and silently for a
// backend; in both cases no proxy is created, so every statement of the
// section is then out of any proxy. It returns true when the section was
// handled that way.
func (s *state) headerExtraArgs(p Pos, sec *astSection) bool {
	a := sec.Args
	fe := kindCap(sec.Kind)&CapFrontend != 0
	switch {
	case len(a) > 1 && (len(a) < 3 || a[1] != "from"):
		if fe {
			s.alert(p, "please use the 'bind' keyword for listening addresses.")
		}
	case len(a) > 3:
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", sec.Kind, a[3])
		if fe {
			s.alert(p, "please use the 'bind' keyword for listening addresses.")
		}
	default:
		return false
	}
	for _, st := range sec.Body {
		s.lastLine = st.Pos.Line
		s.alert(Pos{p.File, st.Pos.Line}, "'listen' or 'defaults' expected.")
	}
	return true
}
