package proxy

import (
	"github.com/goha-lb/goha/proxy/http1"
)

// HTTP compression as HAProxy 2.6's compression filter does it
// (flt_http_comp.c): the algorithm is chosen on the request, after the
// http-request rules; the response is checked as the server sent it,
// before the http-response rules; the response head is edited after them;
// the body is compressed as it streams and sent chunked.

// Compression is a proxy's `compression` statements.
type Compression struct {
	// Algos are the algorithms in HAProxy's list order (the last one
	// configured first): "gzip", "deflate" (zlib), "raw-deflate",
	// "identity".
	Algos []string
	// Types are the `compression type` prefixes (case-insensitive).
	Types   []string
	Offload bool
}

// compAlgos are the algorithms HAProxy 2.6 offers, with the token a
// client names each by in Accept-Encoding and Content-Encoding.
var compAlgoToken = map[string]string{"identity": "identity", "deflate": "deflate", "raw-deflate": "deflate", "gzip": "gzip"}

// compPlan is what one transaction's compression settings are: the
// backend's algorithms and types when it has some, else the frontend's;
// offload when either says so (select_compression_*_header).
type compPlan struct {
	algos   []string
	types   []string
	offload bool
	active  bool // one of the two proxies has compression
}

func planCompression(fe, be *Compression) compPlan {
	var p compPlan
	for _, c := range []*Compression{be, fe} {
		if c == nil {
			continue
		}
		p.active = true
		if p.algos == nil && len(c.Algos) > 0 {
			p.algos = c.Algos
		}
		if p.types == nil && len(c.Types) > 0 {
			p.types = c.Types
		}
		p.offload = p.offload || c.Offload
	}
	return p
}

// oldMozilla is HAProxy's user-agent exception: "Mozilla/4" agents get no
// compression unless they are MSIE 6 with SV1 or MSIE 7 and later.
func oldMozilla(ua []byte) bool {
	if len(ua) < 9 || string(ua[:9]) != "Mozilla/4" {
		return false
	}
	if len(ua) < 31 || string(ua[25:30]) != "MSIE " || ua[30] < '6' {
		return true
	}
	return ua[30] == '6' && (len(ua) < 54 || string(ua[51:54]) != "SV1")
}

// chooseAlgo picks the algorithm for a request from its User-Agent and
// Accept-Encoding elements (each comma-separated element, trimmed): the
// highest q-value an algorithm matches (equal ones: the first element),
// "*" naming the first algorithm of the list. fromHeader says the choice
// came from Accept-Encoding (offload then removes that header); without
// a match, "identity" is chosen when it is configured.
func chooseAlgo(algos []string, ua []byte, hasUA bool, accept [][]byte) (algo string, fromHeader bool) {
	if hasUA && oldMozilla(ua) {
		return "", false
	}
	best := 0
	for _, v := range accept {
		tok := 0
		for tok < len(v) && http1.IsTokenChar(v[tok]) {
			tok++
		}
		q := qValue(v[tok:])
		if q <= best || len(v) == 0 {
			continue
		}
		for _, a := range algos {
			if v[0] == '*' || wordMatch(v[:tok], compAlgoToken[a]) {
				algo, best = a, q
				break
			}
		}
	}
	if algo != "" {
		return algo, true
	}
	for _, a := range algos {
		if a == "identity" {
			return a, false
		}
	}
	return "", false
}

func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// qValue finds the first "q=" parameter after a token and returns it in
// thousandths (1000 when there is none), as http_parse_qvalue reads it.
func qValue(p []byte) int {
	for {
		for len(p) > 0 && isLWS(p[0]) {
			p = p[1:]
		}
		if len(p) == 0 || p[0] != ';' {
			return 1000
		}
		p = p[1:]
		for len(p) > 0 && isLWS(p[0]) {
			p = p[1:]
		}
		if len(p) == 0 {
			return 1000
		}
		if len(p) >= 2 && p[0] == 'q' && p[1] == '=' {
			return parseQ(p[2:])
		}
		if len(p) == 1 && p[0] == 'q' {
			return 1000 // HAProxy reads past the value: nothing it can parse
		}
		for len(p) > 0 && p[0] != ';' {
			p = p[1:]
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseQ reads "d[.ddd]" as thousandths, stopping at the first byte that
// does not fit, capped at 1000; no digit at all reads as 1000.
func parseQ(p []byte) int {
	if len(p) == 0 || !isDigit(p[0]) {
		return 1000
	}
	q := int(p[0]-'0') * 1000
	if len(p) > 1 && p[1] == '.' {
		for i, mul := 2, 100; i < len(p) && i < 5 && isDigit(p[i]); i, mul = i+1, mul/10 {
			q += int(p[i]-'0') * mul
		}
	}
	return min(q, 1000)
}

// wordMatch is HAProxy's word_match: word, case-insensitive, followed by
// nothing but blanks.
func wordMatch(sample []byte, word string) bool {
	if len(sample) < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if c := sample[i] ^ word[i]; c != 0 && c != 'A'^'a' {
			return false
		}
	}
	for _, c := range sample[len(word):] {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// etagValid is http_get_etag_type's verdict: a strong ("...") or weak
// (W/"...") entity tag.
func etagValid(v []byte) bool {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return true
	}
	return len(v) >= 4 && v[0] == 'W' && v[1] == '/' && v[2] == '"' && v[len(v)-1] == '"'
}

// hasPrefixFold reports whether v starts with prefix, ignoring ASCII case.
func hasPrefixFold(v []byte, prefix string) bool {
	return len(v) >= len(prefix) && http1.EqualFold(v[:len(prefix)], prefix)
}

// respCompressible is select_compression_response_header: whether the
// response, as the server sent it, may be compressed. http11 says both
// the request and the response are HTTP/1.1; framed says the body has a
// known end (Content-Length or chunked).
func respCompressible(p *compPlan, http11, head bool, status int, framed bool, hdrs []http1.Header) bool {
	if !http11 || head || status < 200 || status > 203 || !framed {
		return false
	}
	etags := 0
	for _, h := range hdrs {
		switch {
		case http1.EqualFold(h.Name, "content-encoding"):
			return false
		case http1.EqualFold(h.Name, "cache-control"):
			for _, v := range commaElements(h.Value) {
				if wordMatch(v, "no-transform") {
					return false
				}
			}
		case http1.EqualFold(h.Name, "etag"):
			if etags++; etags > 1 || !etagValid(h.Value) {
				return false
			}
		}
	}
	ct, ok := firstHeader(hdrs, "content-type")
	if !ok {
		return len(p.types) == 0
	}
	if hasPrefixFold(ct, "multipart") {
		return false
	}
	if len(p.types) == 0 {
		return true
	}
	for _, t := range p.types {
		if hasPrefixFold(ct, t) {
			return true
		}
	}
	return false
}

// firstHeader returns the value of the first header named name (lower
// case).
func firstHeader(hdrs []http1.Header, name string) ([]byte, bool) {
	for _, h := range hdrs {
		if http1.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return nil, false
}

// commaElements splits a header value at commas, each element trimmed of
// blanks, empty ones dropped (HAProxy's http_find_header without full).
func commaElements(v []byte) [][]byte {
	var out [][]byte
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		e := v[:i]
		for len(e) > 0 && isLWS(e[0]) {
			e = e[1:]
		}
		for len(e) > 0 && isLWS(e[len(e)-1]) {
			e = e[:len(e)-1]
		}
		if len(e) > 0 {
			out = append(out, e)
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return out
}

// CompAlgo is res.comp_algo: the algorithm compressing the response
// ("" when it is not compressed).
func (r *RequestInfo) CompAlgo() string { return r.compAlgo }

// exchangeComp is one exchange's compression: the algorithm chosen on the
// request ("" for none) and whether offload took Accept-Encoding out of it.
type exchangeComp struct {
	plan   compPlan
	algo   string
	dropAE bool
}

// chooseCompression is select_compression_request_header, on the request
// as the http-request rules left it.
func (x *exchange) chooseCompression() {
	fe, be := x.s.fe.cfg.Compression, x.be.cfg.Compression
	if fe == nil && be == nil {
		// Neither proxy compresses (most): what chooseComp gives for an
		// inactive plan, without building and copying the plan and the
		// choice on every request.
		x.comp = exchangeComp{}
		x.s.info.compAlgo = ""
		return
	}
	x.comp = x.s.chooseComp(planCompression(fe, be))
}

// chooseComp is chooseCompression for a plan (a cache hit's: the
// frontend's alone).
func (s *session) chooseComp(plan compPlan) (c exchangeComp) {
	c.plan = plan
	s.info.compAlgo = ""
	p := &c.plan
	if !p.active || len(p.algos) == 0 {
		return c
	}
	var ua []byte
	hasUA := false
	var accept [][]byte
	for _, h := range s.info.Headers() {
		switch {
		case !hasUA && http1.EqualFold(h.Name, "user-agent"):
			ua, hasUA = h.Value, true
		case http1.EqualFold(h.Name, "accept-encoding"):
			accept = append(accept, commaElements(h.Value)...)
		}
	}
	algo, fromHeader := chooseAlgo(p.algos, ua, hasUA, accept)
	c.algo = algo
	c.dropAE = fromHeader && p.offload
	return c
}
