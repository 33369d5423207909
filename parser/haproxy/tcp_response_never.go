package haproxy

// The fetches HAProxy 2.6.12 finds incompatible with a backend's
// tcp-response content rules (their "usable in" mask lacks the backend
// response content check point): an ACL on them never matches there, and
// haproxy -c warns. Measured: each fetch of the class table in
// `tcp-response content reject if { <fetch> -m found }` (those that take
// arguments, with arguments).
var tcpResponseNever = setOf([]string{"base", "base32", "base32+src", "baseq", "cook", "cook_cnt", "cook_val",
	"fcgi.docroot", "fcgi.index", "hdr", "hdr_cnt", "hdr_ip", "hdr_val", "http_auth", "http_auth_bearer",
	"http_auth_group", "http_auth_pass", "http_auth_type", "http_auth_user", "path", "pathq", "query",
	"rdp_cookie", "rdp_cookie_cnt", "req.body", "req.body_len", "req.body_param", "req.body_size", "req.cook",
	"req.cook_cnt", "req.cook_val", "req.fhdr", "req.fhdr_cnt", "req.hdr", "req.hdr_cnt", "req.hdr_ip",
	"req.hdr_names", "req.hdr_val", "req.hdrs", "req.hdrs_bin", "req.len", "req.payload", "req.payload_lv",
	"req.rdp_cookie", "req.rdp_cookie_cnt", "req.ssl_alpn", "req.ssl_ec_ext", "req.ssl_hello_type",
	"req.ssl_sni", "req.ssl_st_ext", "req.ssl_ver", "req.ver", "req_len", "req_ssl_hello_type", "req_ssl_sni",
	"req_ssl_ver", "req_ver", "url", "url32", "url32+src", "url_ip", "url_param", "url_port", "urlp", "urlp_val"})

// TCPResponseNever reports whether an ACL expression never matches in a
// tcp-response content rule (its fetch has no value there).
func TCPResponseNever(a ACL) bool { return tcpResponseNever[a.Sample.Fetch.Name] }

// TCPResponseNeverACL reports whether the term t of a tcp-response
// content condition never matches: an anonymous ACL on such a fetch, or a
// named ACL (declared in acls) all of whose expressions are.
func TCPResponseNeverACL(t CondTerm, acls []ACL) bool {
	if t.Anon != nil {
		return TCPResponseNever(*t.Anon)
	}
	found := false
	for _, a := range acls {
		if a.Name == t.Name {
			if !TCPResponseNever(a) {
				return false
			}
			found = true
		}
	}
	return found
}

// warnTCPResponseNever warns, as HAProxy's warnif_cond_conflicts does,
// about the first ACL of a tcp-response content condition with an
// expression on such a fetch: an anonymous one or a named one all of
// whose expressions are never match; a named one that mixes them with
// other fetches gets a warning naming its first such keyword, and still
// matches on its other expressions.
func (s *state) warnTCPResponseNever(px *Proxy, p Pos, cond *Condition) {
	if cond == nil {
		return
	}
	for _, and := range cond.Or {
		for _, t := range and {
			if t.Anon != nil {
				if TCPResponseNever(*t.Anon) {
					s.d.Warnf(p.File, p.Line, "anonymous acl will never match in 'tcp-response content' because it uses keyword '%s' which is incompatible with 'backend tcp-response content rule'", t.Anon.Keyword)
					return
				}
				continue
			}
			kw := ""
			for _, a := range px.ACLs {
				if a.Name == t.Name && TCPResponseNever(a) {
					kw = a.Keyword
					break
				}
			}
			switch {
			case kw == "":
				continue
			case TCPResponseNeverACL(t, px.ACLs):
				s.d.Warnf(p.File, p.Line, "acl '%s' will never match in 'tcp-response content' because it only involves keywords that are incompatible with 'backend tcp-response content rule'", t.Name)
			default:
				s.d.Warnf(p.File, p.Line, "acl '%s' involves keyword '%s' which is incompatible with 'backend tcp-response content rule'", t.Name, kw)
			}
			return
		}
	}
}

// TCPResponseACLs is acls as a tcp-response content condition sees them:
// each expression on a fetch that has no value there (TCPResponseNever)
// is always_false, so that a named ACL mixing them with other fetches
// matches on the others, as in HAProxy.
func TCPResponseACLs(acls []ACL) []ACL {
	out := acls
	for i, a := range acls {
		if !TCPResponseNever(a) {
			continue
		}
		if &out[0] == &acls[0] {
			out = append([]ACL(nil), acls...)
		}
		out[i] = ACL{Name: a.Name, Keyword: "always_false", Sample: ParseSample("always_false"), Pos: a.Pos}
	}
	return out
}
