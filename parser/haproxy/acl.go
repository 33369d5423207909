package haproxy

import (
	"fmt"
	"net"
	"regexp"
	"regexp/syntax"
	"strings"
)

var fetchSet = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range fetchNames {
		m[f] = true
	}
	return m
}()

// aclOnlyKeywords are ACL keywords of HAProxy 2.6 that are no sample
// fetch of section 7.3: payload.c registers the RDP ones as ACLs only, and
// http_fetch.c the derivatives of the response's shdr and scook (shdr_beg
// is res.hdr -m beg, scook_sub res.cook -m sub) and of the request's cook
// (cook_beg is req.cook -m beg; section 7.3 documents req.cook_beg, which
// HAProxy refuses): HAProxy's -dKacl list.
var aclOnlyKeywords = func() map[string]bool {
	m := map[string]bool{"req_rdp_cookie": true, "req_rdp_cookie_cnt": true}
	for _, base := range []string{"shdr", "scook", "cook"} {
		for _, suf := range []string{"_beg", "_dir", "_dom", "_end", "_len", "_reg", "_sub"} {
			m[base+suf] = true
		}
	}
	return m
}()

// ipFetches are fetches whose patterns are addresses or networks.
var ipFetches = map[string]bool{"src": true, "dst": true, "be_id": false}

// fetchName is the fetch keyword of a criterion: "hdr(host),lower" -> "hdr".
func fetchName(criterion string) string {
	if i := strings.IndexAny(criterion, "(,"); i >= 0 {
		return criterion[:i]
	}
	return criterion
}

// checkACL validates an acl as HAProxy's ACL parser does: known fetch,
// loadable map files, valid flags and matching method, loadable pattern
// files, compilable regexes, valid addresses. It returns HAProxy's message
// or "".
func (s *state) checkACL(a ACL) string {
	name := a.Keyword
	if !fetchSet[name] && !aclOnlyKeywords[name] {
		return fmt.Sprintf("unknown fetch method '%s' in ACL expression '%s'", name, a.Sample.Text)
	}
	if msg := s.sampleMaps(a.Sample); msg != "" {
		// An ACL keyword (path, hdr, ...) is parsed by another path of
		// HAProxy's ACL parser, which words it differently.
		if aclKeyword(name) {
			return fmt.Sprintf("ACL keyword '%s' : %s.", name, msg)
		}
		return msg + " in ACL expression '" + a.Sample.Text + "'"
	}
	for _, f := range a.Match.Files {
		if msg := s.patternRef(f.Path, f.Map); msg != "" {
			return msg
		}
		s.notePatternUse(f.Path, a.Match.Method, a.Match.IgnoreCase, a.Pos)
	}
	if a.Invalid != "" {
		return a.Invalid
	}
	for _, v := range a.Match.Patterns {
		switch {
		case a.Match.Method == MatchReg:
			if _, err := regexp.Compile(v); err != nil {
				return fmt.Sprintf("regex '%s' is invalid (error=%s, erroffset=%d)", v, pcreWording(err), len(v))
			}
		case ipFetches[name] && a.Match.Method == MatchDefault && len(a.Sample.Converters) == 0:
			if !validIPPattern(v) {
				return fmt.Sprintf("'%s' is not a valid IPv4 or IPv6 address", v)
			}
		}
	}
	return ""
}

// noPatternWarning tells whether HAProxy would warn that an ACL on a
// string fetch has no pattern (and so never matches). Limited to the string
// fetches and their derivatives, whose default match needs a pattern.
func noPatternWarning(a ACL) bool {
	m := a.Match
	if len(m.Patterns) > 0 || m.EndOfFlags || len(m.Files) > 0 || m.Method == MatchFound || m.Method == MatchBool {
		return false
	}
	name := a.Keyword
	switch name {
	case "path", "url", "hdr", "req.hdr", "base", "method", "query", "req.cook", "cook", "res.hdr", "shdr":
		return true
	}
	for _, suf := range []string{"_beg", "_end", "_sub", "_reg", "_dir", "_dom", "_str"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// pcreWording words Go's regexp errors like PCRE2 for the common cases.
func pcreWording(err error) string {
	if se, ok := err.(*syntax.Error); ok {
		switch se.Code {
		case syntax.ErrMissingParen:
			return "missing closing parenthesis"
		case syntax.ErrUnexpectedParen:
			return "unmatched closing parenthesis"
		case syntax.ErrMissingBracket:
			return "missing terminating ] for character class"
		}
		return string(se.Code)
	}
	return err.Error()
}

func validIPPattern(v string) bool {
	if _, _, err := net.ParseCIDR(v); err == nil {
		return true
	}
	if net.ParseIP(v) != nil {
		return true
	}
	// "10.0.0.0/255.0.0.0" masks are allowed too.
	if ip, mask, ok := strings.Cut(v, "/"); ok {
		return net.ParseIP(ip) != nil && net.ParseIP(mask) != nil
	}
	return false
}

// aclKeyword tells whether HAProxy 2.6 registers name as an ACL keyword
// (a fetch with a built-in match method) rather than a sample fetch.
func aclKeyword(name string) bool {
	switch name {
	case "method", "http_auth_group", "req_ver", "resp_ver", "payload", "payload_lv",
		"req_rdp_cookie", "req_rdp_cookie_cnt", "req_ssl_sni", "ssl_fc_sni_end", "ssl_fc_sni_reg":
		return true
	}
	base, suffix, _ := strings.Cut(name, "_")
	switch suffix {
	case "", "beg", "dir", "dom", "end", "len", "reg", "sub":
	default:
		return false
	}
	switch base {
	case "base", "cook", "hdr", "path", "scook", "shdr", "url", "urlp":
		return true
	}
	return false
}
