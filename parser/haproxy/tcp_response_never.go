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
// about the first ACL of a tcp-response content condition that never
// matches there.
func (s *state) warnTCPResponseNever(px *Proxy, p Pos, cond *Condition) {
	if cond == nil {
		return
	}
	for _, and := range cond.Or {
		for _, t := range and {
			if !TCPResponseNeverACL(t, px.ACLs) {
				continue
			}
			if t.Anon != nil {
				s.d.Warnf(p.File, p.Line, "anonymous acl will never match in 'tcp-response content' because it uses keyword '%s' which is incompatible with 'backend tcp-response content rule'", t.Anon.Keyword)
			} else {
				s.d.Warnf(p.File, p.Line, "acl '%s' will never match in 'tcp-response content' because it only involves keywords that are incompatible with 'backend tcp-response content rule'", t.Name)
			}
			return
		}
	}
}
