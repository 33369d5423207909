package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the persistence keywords: `cookie`, `force-persist`,
// `ignore-persist`, `persist rdp-cookie`, `dynamic-cookie-key` and the
// refused `appsession`, checked in HAProxy 2.6's words
// (cfgparse-listen.c); rows in proxyKeywordTable.

// Cookie is a `cookie` line: the backend's persistence cookie.
type Cookie struct {
	Pos  Pos
	Name string
	// At most one of Rewrite, Insert, Prefix (none: passive).
	Rewrite, Insert, Prefix bool
	Indirect, NoCache       bool
	PostOnly, Preserve      bool
	HTTPOnly, Secure        bool
	Dynamic                 bool
	Domains                 []string
	// Attrs are the `attr` values; HAProxy keeps those of an earlier
	// `cookie` line (of the defaults too) and adds the new ones.
	Attrs []string
	// MaxIdle and MaxLife are in seconds (0: not set).
	MaxIdle, MaxLife int64
}

// PersistRule is a `force-persist` (Force) or `ignore-persist` rule.
type PersistRule struct {
	Pos   Pos
	Force bool
	Cond  *Condition
}

// alertTight is an alert worded "parsing [file:line]: msg" (no space
// before the colon), as some of HAProxy's cookie messages are.
func (s *state) alertTight(p Pos, format string, a ...any) {
	s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: ", p.File, p.Line)+fmt.Sprintf(format, a...))
	s.fileFatal = true
}

func (s *state) parseCookie(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'cookie' expects <cookie_name> as argument.")
		return false
	}
	s.timerWarnAfter(l.p, l.w, "maxidle", "maxlife")
	c := &Cookie{Pos: l.p, Name: l.arg(1)}
	if px.Cookie != nil {
		c.Attrs = append([]string(nil), px.Cookie.Attrs...)
	}
	for i := 2; i < len(l.w); i++ {
		switch o := l.w[i]; o {
		case "rewrite":
			c.Rewrite = true
		case "indirect":
			c.Indirect = true
		case "insert":
			c.Insert = true
		case "nocache":
			c.NoCache = true
		case "postonly":
			c.PostOnly = true
		case "preserve":
			c.Preserve = true
		case "prefix":
			c.Prefix = true
		case "httponly":
			c.HTTPOnly = true
		case "secure":
			c.Secure = true
		case "dynamic":
			c.Dynamic = true
		case "domain":
			d := l.arg(i + 1)
			if d == "" {
				s.alertTight(l.p, "'%s' expects <domain> as argument.", o)
				return false
			}
			if !strings.Contains(d, ".") {
				s.d.Raw(Warning, l.p.File, l.p.Line, fmt.Sprintf("config : parsing [%s:%d]: domain '%s' contains no embedded dot, "+
					"this configuration may not work properly (see RFC6265#5.2.3).", l.p.File, l.p.Line, d))
			}
			if j := strings.IndexFunc(d, func(r rune) bool { return !domainChar(r) }); j >= 0 {
				s.alertTight(l.p, "character '%c' is not permitted in domain name '%s'.", d[j], d)
				return false
			}
			c.Domains = append(c.Domains, d)
			i++
		case "maxidle", "maxlife":
			v := l.arg(i + 1)
			if v == "" {
				what := "<idletime>"
				if o == "maxlife" {
					what = "<lifetime>"
				}
				s.alertTight(l.p, "'%s' expects %s in seconds as argument.", o, what)
				return false
			}
			secs, ok := s.cookieSeconds(l.p, o, v)
			if !ok {
				return false
			}
			if o == "maxidle" {
				c.MaxIdle = secs
			} else {
				c.MaxLife = secs
			}
			i++
		case "attr":
			v := l.arg(i + 1)
			if v == "" {
				s.alertTight(l.p, "'%s' expects <value> as argument.", o)
				return false
			}
			for j := 0; j < len(v); j++ {
				if v[j] < 0x20 || v[j] == 0x7f || v[j] == ';' {
					s.alertTight(l.p, "character '%%x%02X' is not permitted in attribute value.", v[j])
					return false
				}
			}
			c.Attrs = append(c.Attrs, v)
			i++
		default:
			s.alert(l.p, "'%s' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.", l.kw)
			return false
		}
	}
	ok := true
	if c.Rewrite && c.Indirect {
		s.alert(l.p, "cookie 'rewrite' and 'indirect' modes are incompatible.")
		ok = false
	}
	if b2i(c.Rewrite)+b2i(c.Insert)+b2i(c.Prefix) > 1 {
		s.alert(l.p, "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.")
		ok = false
	}
	if c.Preserve && !c.Insert && !c.Indirect {
		s.alert(l.p, "cookie 'preserve' requires at least 'insert' or 'indirect'.")
		ok = false
	}
	if ok {
		px.Cookie = c
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// domainChar: HAProxy's invalid_domainchar accepts letters, digits, '.',
// '-' and '_'.
func domainChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
}

// cookieSeconds reads a maxidle/maxlife value: a time whose default unit
// is the second.
func (s *state) cookieSeconds(p Pos, o, v string) (int64, bool) {
	n := 0
	for n < len(v) && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	if n == 0 {
		s.alertTight(p, "unexpected character '%c' in argument to <%s>.", v[0], o)
		return 0, false
	}
	t := v
	if n == len(v) {
		t += "s"
	}
	d, bad, err := ParseTime(t)
	switch {
	case err == errTimeOverflow || (err == nil && d.Seconds() > 2147483647):
		s.alertTight(p, "timer overflow in argument <%s> to <%s>, maximum value is 2147483647 s (~68 years).", v, o)
		return 0, false
	case err != nil:
		c := byte('?')
		if bad < len(t) {
			c = t[bad]
		}
		s.alertTight(p, "unexpected character '%c' in argument to <%s>.", c, o)
		return 0, false
	}
	return int64(d.Seconds()), true
}

// parsePersistRule is `force-persist` and `ignore-persist`.
func (s *state) parsePersistRule(px *Proxy, l *kwLine) bool {
	if l.arg(1) != "if" && l.arg(1) != "unless" {
		s.alert(l.p, "'%s' requires either 'if' or 'unless' followed by a condition.", l.kw)
		return false
	}
	cond, err := parseCondition(tail(l.w, 1))
	if err == nil && cond != nil {
		if bad := undefinedACL(px, cond); bad != "" {
			err = fmt.Errorf("no such ACL : '%s'", bad)
		} else if msg := s.anonACLError(cond); msg != "" {
			err = fmt.Errorf("%s", msg)
		}
	}
	if err != nil {
		s.alert(l.p, "error detected while parsing a '%s' rule : %s.", l.kw, err)
		return false
	}
	px.PersistRules = append(px.PersistRules, PersistRule{Pos: l.p, Force: l.kw == "force-persist", Cond: cond})
	return false
}

// parsePersist is `persist rdp-cookie[(<name>)]`: parsed and checked; the
// runtime does not read RDP cookies (proxy/haproxycfg reports it).
func (s *state) parsePersist(px *Proxy, l *kwLine) bool {
	m := l.arg(1)
	if m == "" {
		s.alert(l.p, "missing persist method.")
		return false
	}
	if !strings.HasPrefix(m, "rdp-cookie") {
		s.alert(l.p, "unknown persist method.")
		return false
	}
	name := ""
	switch rest := m[len("rdp-cookie"):]; {
	case strings.HasPrefix(rest, "("):
		if len(l.w) > 2 {
			s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
			return false
		}
		end := strings.IndexByte(rest, ')')
		if end <= 1 {
			s.alert(l.p, "persist rdp-cookie(name)' requires an rdp cookie name.")
			return false
		}
		name = rest[1:end]
	case rest == "":
		name = "msts"
	default:
		s.alert(l.p, "persist rdp-cookie(name)' requires an rdp cookie name.")
		return false
	}
	px.PersistRDPCookie, px.PersistRDPPos = name, l.p
	return false
}

func (s *state) parseDynamicCookieKey(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects <secret_key> as argument.", l.kw)
		return false
	}
	px.DynamicCookieKey = l.arg(1)
	return false
}
