package haproxy

import (
	"fmt"
	"strings"
)

// DoResolve is the action word of `http-request do-resolve(<var>,<resolvers>[,ipv4|ipv6]) <expr>`
// and of its tcp-request content twin, typed.
type DoResolve struct {
	// Var is the variable the address goes to, as written (HAProxy
	// checks it only when it stores: a name it cannot store is a no-op).
	Var string
	// Resolvers names the resolvers section asked.
	Resolvers string
	// PreferIPv4: the A question goes first; AAAA does otherwise (HAProxy
	// 2.6's default, measured: a name with both records gives its IPv6
	// address without an option).
	PreferIPv4 bool
}

// doResolveExpects is the tail of HAProxy's parse error.
const doResolveExpects = "Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'"

// IsDoResolve says whether an action word is a do-resolve: HAProxy looks
// actions up by prefix, so "do-resolvex(...)" is one too.
func IsDoResolve(action string) bool { return strings.HasPrefix(action, "do-resolve") }

// ParseDoResolve reads the action word as HAProxy 2.6's parser does: it
// skips "do-resolve(" by its length, takes the variable up to the first
// comma and the section up to the next comma or ')'; an option is
// compared on its own length, so an empty one or "ip" is ipv4 and "ipv"
// too; what follows ')' is not looked at. msg is HAProxy's reason
// (without the final period, which http-request adds) when it refuses
// the word or there is no expression (nargs: the words after the action,
// before any condition).
func ParseDoResolve(action string, nargs int) (d DoResolve, msg string) {
	fail := func(what string) (DoResolve, string) {
		return DoResolve{}, fmt.Sprintf("Can't parse '%s'. %s", what, doResolveExpects)
	}
	if len(action) < len("do-resolve(") {
		return fail(action)
	}
	rest := action[len("do-resolve("):]
	v, rest, ok := strings.Cut(rest, ",")
	if !ok {
		return fail(action)
	}
	end := strings.IndexByte(rest, ',')
	if end < 0 {
		end = strings.IndexByte(rest, ')')
	}
	if end < 0 {
		return fail(action)
	}
	d = DoResolve{Var: v, Resolvers: rest[:end]}
	if rest[end] == ',' {
		opt, _, ok := strings.Cut(rest[end+1:], ")")
		switch {
		case !ok:
			return fail(action)
		case strings.HasPrefix("ipv4", opt):
			d.PreferIPv4 = true
		case strings.HasPrefix("ipv6", opt):
		default:
			return fail(action)
		}
	}
	if nargs == 0 {
		return fail("")
	}
	return d, ""
}

// doResolveRefs reports the do-resolve rules of a proxy whose resolvers
// section does not exist, in HAProxy's post-parse words; true when one
// does not.
func (s *state) doResolveRefs(px *Proxy) bool {
	fatal := false
	check := func(rules []HTTPRule) {
		for _, r := range rules {
			if !IsDoResolve(r.Action) {
				continue
			}
			d, msg := ParseDoResolve(r.Action, len(r.Args))
			if msg != "" || s.resolversExist(d.Resolvers) {
				continue
			}
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': Can't find resolvers section '%s' for do-resolve action.", px.Name, d.Resolvers))
			fatal = true
		}
	}
	check(px.HTTPRequestRules)
	check(px.TCPContentRules)
	return fatal
}
