package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// urlParamFetch is the builder of url_param, urlp and urlp_val
// ([<name>[,<delim>]]), read as HAProxy 2.6's smp_fetch_url_param does
// (each rule checked by TestFetchFuzzDifferential): the parameter list
// starts after the first <delim> ('?' by default) of the target's path;
// '&', ';' and <delim> separate parameters; a named parameter is
// "<name>=" at the start of one (a name without '=' is no value); without
// a name, the value after the first '=' of the list, wherever it is.
// Values are not decoded.
func urlParamFetch(args []haproxy.Arg) (fetchFunc, error) {
	if len(args) > 2 {
		return nil, fmt.Errorf("expects a name and a delimiter at most")
	}
	name, delim := "", byte('?')
	if len(args) > 0 {
		name = args[0].Str
	}
	if len(args) > 1 {
		delim = 0
		if args[1].Str != "" {
			delim = args[1].Str[0]
		}
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		p, ok := parsePath(bstr(r.Target))
		i := strings.IndexByte(p, delim)
		if !ok || i < 0 {
			return false
		}
		return urlParams(p[i+1:], name, delim, func(v string) bool { return yield(strValue(v)) })
	}, nil
}

// urlParams calls f with each value of name in the parameter list q
// until f returns true (http_find_next_url_param).
func urlParams(q, name string, delim byte, f func(string) bool) bool {
	isDelim := func(c byte) bool { return c == '&' || c == ';' || c == delim }
	for {
		var vs int
		if name == "" {
			j := strings.IndexByte(q, '=')
			if j < 0 {
				return false
			}
			vs = j + 1
		} else {
			pos := urlParamPos(q, name, isDelim)
			if pos < 0 {
				return false
			}
			vs = pos + len(name) + 1
		}
		ve := vs
		for ve < len(q) && !isDelim(q[ve]) {
			ve++
		}
		if f(q[vs:ve]) {
			return true
		}
		q = q[ve:] // the next search starts at the delimiter
	}
}

// urlParamPos is where "<name>=" starts a parameter of q, or -1
// (http_find_url_param_pos).
func urlParamPos(q, name string, isDelim func(byte) bool) int {
	for pos := 0; pos < len(q); pos++ {
		eq := pos + len(name)
		if eq >= len(q) {
			return -1
		}
		if q[eq] == '=' {
			if q[pos:eq] == name {
				return pos
			}
			pos = eq + 1
		}
		for pos < len(q) && !isDelim(q[pos]) {
			pos++
		}
		if pos >= len(q) {
			return -1
		}
	}
	return -1
}

// argTokens refuses the argument texts HAProxy 2.6 reads otherwise than
// goha's parser splits them (found by TestConverterFuzzDifferential):
// HAProxy ends an argument list at the first ')' outside quotes
// ("regsub((a)(b)?,X)" is an error there) and strips quotes ('(a)' is the
// regex (a)); goha does neither, so both are refused.
func argTokens(s haproxy.Sample) error {
	check := func(what string, args []haproxy.Arg) error {
		for _, a := range args {
			if strings.ContainsAny(a.Str, "'\"") {
				return fmt.Errorf("%s: a quoted argument is not supported by goha", what)
			}
			if strings.ContainsRune(a.Str, ')') {
				return fmt.Errorf("%s: ')' ends the argument list before '%s'", what, a.Str)
			}
		}
		return nil
	}
	if err := check("fetch "+s.Fetch.Name, s.Fetch.Args); err != nil {
		return err
	}
	for _, c := range s.Converters {
		if err := check("converter "+c.Name, c.Args); err != nil {
			return err
		}
	}
	return nil
}

// cookieFetch is the builder of cook, req.cook and req.cook_val
// ([<name>]): without a name, HAProxy 2.6 gives the first cookie's value
// of the Cookie headers, whatever its name (checked by
// TestFetchFuzzDifferential).
func cookieFetch(args []haproxy.Arg) (fetchFunc, error) {
	if len(args) > 1 {
		return nil, fmt.Errorf("expects one name")
	}
	if len(args) == 1 && args[0].Str != "" {
		name := args[0].Str
		return func(r *proxy.RequestInfo, yield func(value) bool) bool { return cookie(r, name, yield) }, nil
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		var first string
		if !forEachCookie(r, "", func(v string) bool { first = v; return true }) {
			return false
		}
		return yield(strValue(first))
	}, nil
}
