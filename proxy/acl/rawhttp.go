package acl

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// On a tcp stream HAProxy 2.6 evaluates the HTTP sample fetches of
// http_fetch.c (path, hdr, method, req.ver, url_param, http_auth, ...)
// by parsing the stream's buffered bytes as an HTTP/1 request
// (smp_prefetch_htx): `tcp-request content reject if { path /admin }`
// in a tcp frontend rejects "GET /admin HTTP/1.1". goha does not parse
// a tcp stream's bytes as HTTP, so such a fetch would never have a value
// there: a rule or condition reading one on a tcp stream is refused
// (haproxycfg), rather than silently never matching. req.proto_http
// (and the HTTP predefined ACL), the payload fetches (req.payload,
// req.len, req_ssl_*, rdp_cookie), layer-4 fetches, variables and ssl_fc*
// are evaluated on the raw bytes and stay accepted. The response
// fetches are listed too: HAProxy has no value for them on a tcp stream
// either way, goha refuses rather than guess.
var rawHTTPFetches = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`base base32 base32+src baseq cook cookie cook_cnt cook_val
		hdr hdr_cnt hdr_ip hdr_val fhdr fhdr_cnt http_auth http_auth_group http_auth_type
		http_auth_user http_auth_pass http_auth_bearer http_first_req method path pathq query
		req.ver req_ver req.body req.body_len req.body_size req.body_param req.hdrs req.hdrs_bin
		req.cook req.cook_cnt req.cook_val req.fhdr req.fhdr_cnt req.hdr req.hdr_cnt req.hdr_ip
		req.hdr_names req.hdr_val url url32 url32+src url_ip url_port url_param urlp urlp_val
		res.ver resp_ver res.cook res.cook_cnt res.cook_val res.fhdr res.fhdr_cnt res.hdr
		res.hdr_cnt res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin scook scook_cnt
		scook_val set-cookie shdr shdr_cnt shdr_ip shdr_val status res.body res.body_len
		res.body_size`) {
		rawHTTPFetches[name] = true
	}
}

// NeedsHTTPMessage says whether the fetch name reads an HTTP message
// that HAProxy parses out of a tcp stream's bytes and goha does not.
func NeedsHTTPMessage(name string) bool {
	return rawHTTPFetches[name]
}

// RawHTTPMsg is the refusal of a sample (its text) reading an HTTP
// message on a tcp stream.
func RawHTTPMsg(sample string) string {
	return "sample fetch " + sample + " on a tcp stream: HAProxy parses the stream's bytes as an HTTP request for this fetch; goha does not, and never finds a value there (--allow-unsupported runs without this line)"
}

// ReadsHTTPMessage names the first criterion of c (named ACLs and
// predefined ones included) whose fetch needs the HTTP message
// (NeedsHTTPMessage), or "".
func (s *Set) ReadsHTTPMessage(c *haproxy.Condition) string {
	if c == nil {
		return ""
	}
	return s.firstACLNamed(c, NeedsHTTPMessage)
}

// FormatReadsHTTPMessage is ReadsHTTPMessage for the %[...] sample
// expressions of a log-format text (a dynamic backend name, a log
// format), "" when none needs the HTTP message.
func FormatReadsHTTPMessage(text string) string {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return ""
		}
		expr := text[i+2 : i+end]
		if NeedsHTTPMessage(haproxy.ParseSample(expr).Fetch.Name) {
			return expr
		}
		text = text[i+end:]
	}
	return ""
}
