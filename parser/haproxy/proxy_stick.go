package haproxy

import "fmt"

// StickRule is a `stick on|match|store-request|store-response` line.
type StickRule struct {
	Pos Pos
	// Verb is "on", "match", "store-request" or "store-response".
	Verb    string
	Pattern string // the sample expression giving the key
	Table   string // "" = the proxy's own table
	Cond    *Condition
}

// Match says whether the rule looks the key up (on, match); Store whether
// it stores the server (on, store-request, store-response).
func (r StickRule) Match() bool { return r.Verb == "on" || r.Verb == "match" }

// Store: see Match.
func (r StickRule) Store() bool { return r.Verb != "match" }

// parseStick is the `stick` family: the verb, one sample expression, then
// `table <name>` and an `if`/`unless` condition, as HAProxy reads them.
func (s *state) parseStick(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	verb := l.arg(1)
	switch verb {
	case "on", "match", "store-request", "store-response":
	default:
		s.alert(l.p, "'%s' expects 'on', 'match', or 'store'.", l.kw)
		return false
	}
	r := StickRule{Pos: l.p, Verb: verb, Pattern: l.arg(2)}
	for i := 3; i < len(l.w); i++ {
		switch w := l.w[i]; w {
		case "table":
			i++
			r.Table = l.arg(i)
		case "if", "unless":
			cond, err := parseCondition(l.w[i:])
			if err == nil && cond != nil {
				if bad := undefinedACL(px, cond); bad != "" {
					err = fmt.Errorf("no such ACL : '%s'", bad)
				} else if msg := s.anonACLError(cond); msg != "" {
					err = fmt.Errorf("%s", msg)
				}
			}
			if err != nil {
				s.alert(l.p, "'%s': error detected while parsing sticking condition : %s.", l.kw, err)
				return false
			}
			r.Cond = cond
			i = len(l.w)
		default:
			s.alert(l.p, "'%s': unknown keyword '%s'.", l.kw, w)
			return false
		}
	}
	px.StickRules = append(px.StickRules, r)
	return false
}
