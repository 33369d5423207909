package haproxy

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ResolversSection is a typed `resolvers` section, with HAProxy 2.6's
// defaults for what it does not set (resolvers.c resolvers_new).
type ResolversSection struct {
	Name        string
	Pos         Pos
	Nameservers []Nameserver
	// ParseResolvConf: the nameserver lines of /etc/resolv.conf, read
	// while checking, are among Nameservers (named by their address).
	ParseResolvConf bool
	// Implicit: the section HAProxy 2.6 makes, named "default", when the
	// configuration has none of that name and /etc/resolv.conf lists a
	// usable nameserver; its nameservers are that file's, on port 53,
	// named by their address (resolvers.c resolvers_create_default).
	Implicit       bool
	Retries        int           // resolve_retries (3)
	TimeoutResolve time.Duration // how often resolutions are due (1s)
	TimeoutRetry   time.Duration // how long to wait for an answer (1s)
	PayloadSize    int           // accepted_payload_size (512)
	// Hold is how long the last valid answer stays in force after each
	// kind of outcome: "valid" (10s), "nx", "timeout", "refused",
	// "other" (30s), "obsolete" (0s).
	Hold map[string]time.Duration
}

// Nameserver is one `nameserver <id> <ip:port>` line (UDP only), or one
// of /etc/resolv.conf (Pos names that file).
type Nameserver struct {
	Name, Addr string
	Pos        Pos
}

// typedResolvers builds Config.Resolvers from the raw sections (the
// statements were validated while parsing).
func (s *state) typedResolvers() {
	for _, sec := range s.cfg.Others {
		if sec.Kind != "resolvers" {
			continue
		}
		r := newResolvers(sec.Name, sec.Pos)
		for _, st := range sec.Statements {
			a := st.Args
			arg := func(i int) string {
				if i < len(a) {
					return a[i]
				}
				return ""
			}
			switch a[0] {
			case "nameserver":
				r.Nameservers = append(r.Nameservers, Nameserver{Name: arg(1), Addr: arg(2), Pos: st.Pos})
			case "parse-resolv-conf":
				r.ParseResolvConf = true
				if content, ok := s.resolvConf(); ok {
					add, _ := resolvConfLines(content, r.Nameservers)
					r.Nameservers = append(r.Nameservers, add...)
				}
			case "resolve_retries":
				if n, err := strconv.Atoi(arg(1)); err == nil {
					r.Retries = n
				}
			case "accepted_payload_size":
				if n, err := strconv.Atoi(arg(1)); err == nil {
					r.PayloadSize = n
				}
			case "timeout":
				if d, _, err := ParseTime(arg(2)); err == nil {
					if arg(1) == "resolve" {
						r.TimeoutResolve = d
					} else {
						r.TimeoutRetry = d
					}
				}
			case "hold":
				if d, _, err := ParseTime(arg(2)); err == nil {
					r.Hold[arg(1)] = d
				}
			}
		}
		s.cfg.Resolvers = append(s.cfg.Resolvers, r)
	}
	if ns := s.implicitNameservers(); s.sectionNamed("resolvers", "default") == nil && len(ns) > 0 {
		// made after the file's sections, so listed after them (show resolvers)
		r := newResolvers("default", Pos{})
		r.Implicit, r.Nameservers = true, ns
		s.cfg.Resolvers = append(s.cfg.Resolvers, r)
	}
}

// newResolvers is a section with HAProxy 2.6's defaults (resolvers_new).
func newResolvers(name string, pos Pos) *ResolversSection {
	return &ResolversSection{Name: name, Pos: pos, Retries: 3, TimeoutResolve: time.Second,
		TimeoutRetry: time.Second, PayloadSize: 512, Hold: map[string]time.Duration{
			"valid": 10 * time.Second, "nx": 30 * time.Second, "timeout": 30 * time.Second,
			"refused": 30 * time.Second, "other": 30 * time.Second, "obsolete": 0}}
}

// resolversExist reports whether a server or do-resolve may name the
// resolvers section: one of the file, or the implicit "default" one.
func (s *state) resolversExist(name string) bool {
	if s.sectionNamed("resolvers", name) != nil {
		return true
	}
	return name == "default" && len(s.implicitNameservers()) > 0
}

// implicitNameservers are the implicit section's: HAProxy reads
// /etc/resolv.conf after parsing and makes no section when the file is
// missing or lists no nameserver it can use (silently: the section's
// warnings are dropped).
func (s *state) implicitNameservers() []Nameserver {
	content, ok := s.resolvConf()
	if !ok {
		return nil
	}
	ns, _ := resolvConfLines(content, nil)
	return ns
}

// resolvConf is /etc/resolv.conf's content (false: it cannot be read),
// read once per check.
func (s *state) resolvConf() (string, bool) {
	if !s.resolvConfRead {
		s.resolvConfText, s.resolvConfOK = s.lookups.resolvConf()
		s.resolvConfRead = true
	}
	return s.resolvConfText, s.resolvConfOK
}

// resolvConfStatement is `parse-resolv-conf` at p in sec, checked while
// parsing as HAProxy 2.6 reads the file then: an alert when it cannot be
// opened, one warning listing the lines it leaves out.
func (s *state) resolvConfStatement(sec *Section, p Pos) {
	content, ok := s.resolvConf()
	if !ok {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: failed to open /etc/resolv.conf.", p.File, p.Line))
		s.fileFatal = true
		return
	}
	if _, warns := resolvConfLines(content, s.nameserversBefore(sec, p)); len(warns) > 0 {
		x := s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: ", p.File, p.Line))
		for _, w := range warns {
			x.Extra = append(x.Extra, "        "+w)
		}
	}
}

// resolversHeader checks a resolvers section's name as HAProxy 2.6 does:
// a character it does not take in names, or a name already used, aborts
// the parsing (the latter with HAProxy's two alerts: the second is what
// its parser prints then); true = abort.
func (s *state) resolversHeader(p Pos, name string) bool {
	if c := invalidNameChar(name); c != 0 {
		s.alert(p, "character '%c' is not permitted in 'resolvers' name '%s'.", c, name)
	} else if o := s.sectionNamed("resolvers", name); o != nil {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Parsing [%s:%d]: resolvers '%s' has same name as another resolvers (declared at %s:%d).",
			p.File, p.Line, name, o.Pos.File, o.Pos.Line))
		s.alert(p, "out of memory.")
	} else {
		return false
	}
	s.abort = true
	return true
}

// nameserverStatement is `nameserver <name> ...` at p in sec: HAProxy
// 2.6 alerts once for each nameserver before it with that name (one of
// /etc/resolv.conf's too), and keeps it.
func (s *state) nameserverStatement(sec *Section, p Pos, name string) {
	for _, ns := range s.nameserversBefore(sec, p) {
		if ns.Name == name {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Parsing [%s:%d]: nameserver '%s' has same name as another nameserver (declared at %s:%d).",
				p.File, p.Line, name, ns.Pos.File, ns.Pos.Line))
			s.fileFatal = true
		}
	}
}

// nameserversBefore are the nameservers sec has before the line at p,
// as HAProxy's list holds them while parsing (names and places only).
func (s *state) nameserversBefore(sec *Section, p Pos) []Nameserver {
	var have []Nameserver
	for _, st := range sec.Statements {
		if st.Pos == p {
			break
		}
		switch st.Args[0] {
		case "nameserver":
			if len(st.Args) > 2 {
				have = append(have, Nameserver{Name: st.Args[1], Pos: st.Pos})
			}
		case "parse-resolv-conf":
			if content, ok := s.resolvConf(); ok {
				add, _ := resolvConfLines(content, have)
				have = append(have, add...)
			}
		}
	}
	return have
}

// resolvConfLines reads a resolv.conf as HAProxy 2.6's parse-resolv-conf
// does: a line that begins with "nameserver" and a blank gives its first
// word, an IP address, as a nameserver on port 53 named by the address,
// unless a nameserver of that name is in have or came before. It also
// returns HAProxy's warnings for the lines it leaves out. (HAProxy also
// resolves a host name written there; goha leaves it out, with the
// warning of an address it does not recognise.)
func resolvConfLines(content string, have []Nameserver) (add []Nameserver, warns []string) {
	isBlank := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
	for n, line := range strings.SplitAfter(content, "\n") {
		rest, ok := strings.CutPrefix(line, "nameserver")
		if !ok || (rest != "" && !isBlank(rune(rest[0]))) {
			continue
		}
		at := fmt.Sprintf("[/etc/resolv.conf:%d]", n+1)
		fields := strings.FieldsFunc(rest, isBlank)
		if len(fields) == 0 {
			warns = append(warns, "parsing "+at+" : nameserver line is missing address.")
			continue
		}
		a := fields[0]
		dup := false
		for _, ns := range append(have[:len(have):len(have)], add...) {
			if ns.Name == a {
				warns = append(warns, fmt.Sprintf("Parsing %s : generated name for /etc/resolv.conf nameserver '%s' conflicts with "+
					"another nameserver (declared at %s:%d), it appears to be a duplicate and will be excluded.", at, a, ns.Pos.File, ns.Pos.Line))
				dup = true
			}
		}
		if dup {
			continue
		}
		if _, err := netip.ParseAddr(a); err != nil {
			warns = append(warns, fmt.Sprintf("parsing %s : address '%s' could not be recognized, nameserver will be excluded.", at, a))
			continue
		}
		add = append(add, Nameserver{Name: a, Addr: net.JoinHostPort(a, "53"), Pos: Pos{File: "/etc/resolv.conf", Line: n + 1}})
	}
	return add, warns
}
