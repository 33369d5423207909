package acl

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// On a tcp stream HAProxy 2.6 evaluates the HTTP request fetches of
// http_fetch.c (path, hdr, method, req.ver, url_param, http_auth, ...)
// by parsing the stream's buffered bytes as an HTTP/1 request head
// (smp_prefetch_htx): `tcp-request content reject if { path /admin }`
// in a tcp frontend rejects "GET /admin HTTP/1.1". goha does the same
// (proxy.RequestInfo.PrefetchHTTP, raw_http.go): every fetch of
// headFetches reads the head through it (http_auth_group's ACL too),
// which on an HTTP stream is the parsed request.
//
// HAProxy's head parsed from the bytes has no body: req.body is empty,
// req.body_len and req.body_size 0, req.body_param none (measured on
// 2.6.12, a Content-Length: 3 request with its 3 bytes buffered).
//
// http_first_req reads no bytes: a tcp stream's one transaction is its
// connection's first (fetch_conn.go), true at once in conditions, stick
// rules and formats (each makes HAProxy give the stream a transaction;
// a set-var's sample alone does not, and HAProxy crashes: haproxycfg
// refuses it).
//
// The response fetches stay refused on a tcp stream (haproxycfg), rather
// than guessed.
var (
	headFetches = map[string]bool{}
	tcpRefused  = map[string]bool{}
)

func init() {
	for _, name := range strings.Fields(`base base32 base32+src baseq cook cookie cook_cnt cook_val
		hdr hdr_cnt hdr_ip hdr_val fhdr fhdr_cnt http_auth http_auth_group http_auth_type
		http_auth_user http_auth_pass http_auth_bearer method path pathq query
		req.ver req_ver req.hdrs req.hdrs_bin
		req.cook req.cook_cnt req.cook_val req.fhdr req.fhdr_cnt req.hdr req.hdr_cnt req.hdr_ip
		req.hdr_names req.hdr_val url url32 url32+src url_ip url_port url_param urlp urlp_val
		req.body req.body_len req.body_size req.body_param`) {
		headFetches[name] = true
	}
	for _, name := range strings.Fields(`res.ver resp_ver res.cook res.cook_cnt res.cook_val res.fhdr res.fhdr_cnt res.hdr
		res.hdr_cnt res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin scook scook_cnt
		scook_val set-cookie shdr shdr_cnt shdr_ip shdr_val status res.body res.body_len
		res.body_size`) {
		tcpRefused[name] = true
	}
}

// NeedsHTTPMessage says whether the fetch name reads an HTTP message
// goha does not give a value from a tcp stream's bytes (see above).
func NeedsHTTPMessage(name string) bool {
	return tcpRefused[name]
}

// HeadFetch says whether a sample's fetch reads the request head, which
// a tcp stream's bytes give (PrefetchHTTP).
func HeadFetch(s haproxy.Sample) bool { return headFetches[s.Fetch.Name] }

// prefetched is f reading the request head PrefetchHTTP readies.
func prefetched(f fetchFunc) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.PrefetchHTTP() && f(r, yield)
	}
}

// prefetchedOne is prefetched for a fetch of one value.
func prefetchedOne(f oneFunc) oneFunc {
	if f == nil {
		return nil
	}
	return func(r *proxy.RequestInfo, v *value) bool {
		return r.PrefetchHTTP() && f(r, v)
	}
}

// RawHTTPMsg is the refusal of a sample (its text) reading an HTTP
// message on a tcp stream.
func RawHTTPMsg(sample string) string {
	return "sample fetch " + sample + " on a tcp stream: HAProxy reads it from the stream's bytes parsed as an HTTP request; goha gives a tcp stream's request head fetches (path, hdr, method, ...) a value from them, not the response fetches (--allow-unsupported runs without this line)"
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

// ReadsFetch names the first criterion of c (named ACLs and predefined
// ones included) whose fetch name bad reports, or "".
func (s *Set) ReadsFetch(c *haproxy.Condition, bad func(name string) bool) string {
	if c == nil {
		return ""
	}
	return s.firstACLNamed(c, bad)
}

// FormatReadsHTTPMessage is ReadsHTTPMessage for the %[...] sample
// expressions of a log-format text (a dynamic backend name, a log
// format), "" when none needs the HTTP message.
func FormatReadsHTTPMessage(text string) string { return FormatReadsFetch(text, NeedsHTTPMessage) }

// FormatReadsFetch is ReadsFetch for the %[...] sample expressions of a
// log-format text: the first whose fetch name bad reports, or "".
func FormatReadsFetch(text string, bad func(name string) bool) string {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return ""
		}
		expr := text[i+2 : i+end]
		if bad(haproxy.ParseSample(expr).Fetch.Name) {
			return expr
		}
		text = text[i+end:]
	}
	return ""
}
