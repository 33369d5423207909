package balance

import (
	"fmt"
	"strings"
)

// exprKey is `balance hash <expr>` (HAProxy 2.6) for the expressions made
// of one sample fetch without converters: src, path, url,
// urlp(name) / url_param(name) and req.hdr(name) / hdr(name). req.hdr is
// the last value of the last occurrence, values being split at commas. HAProxy casts the sample to binary and
// hashes those bytes with hash-type's function: an IPv4 source is its 4
// address bytes, an IPv6 one its 16, a string its bytes. A request without
// the sample (no such parameter; no HTTP request at all in a tcp session,
// which has an empty URI) falls back to round robin, as HAProxy's.
// Other fetches, and converters, are refused by New (the config check
// reports them as not supported).
type exprKey struct {
	fetch string // "src", "path", "url", "urlp" or "hdr"
	name  string // urlp's parameter, hdr's header name (lower case)
}

func (exprKey) singleShortcut() bool { return true }

func parseExprKey(args []string) (exprKey, error) {
	if len(args) != 1 {
		return exprKey{}, fmt.Errorf("balance hash: expects one sample expression")
	}
	expr := args[0]
	if strings.ContainsRune(expr, ',') {
		return exprKey{}, fmt.Errorf("balance hash %s: converters and extra fetch arguments are not supported yet", expr)
	}
	fetch, param, hasParam := strings.Cut(expr, "(")
	if hasParam {
		var ok bool
		if param, ok = strings.CutSuffix(param, ")"); !ok {
			return exprKey{}, fmt.Errorf("balance hash %s: missing ')'", expr)
		}
	}
	switch fetch {
	case "src", "path", "url":
		if hasParam {
			return exprKey{}, fmt.Errorf("balance hash %s: %s takes no argument", expr, fetch)
		}
		return exprKey{fetch: fetch}, nil
	case "urlp", "url_param":
		if param == "" {
			return exprKey{}, fmt.Errorf("balance hash %s: only urlp(<name>) is supported", expr)
		}
		return exprKey{fetch: "urlp", name: param}, nil
	case "req.hdr", "hdr":
		if param == "" {
			return exprKey{}, fmt.Errorf("balance hash %s: only %s(<name>) is supported", expr, fetch)
		}
		return exprKey{fetch: "hdr", name: strings.ToLower(param)}, nil
	}
	return exprKey{}, fmt.Errorf("balance hash %s: only the src, path, url, urlp(<name>) and req.hdr(<name>) fetches are supported yet", expr)
}

func (k exprKey) key(r *Request, o *Options) (uint32, bool) {
	switch k.fetch {
	case "src":
		if !r.Src.IsValid() {
			return 0, false
		}
		a := r.Src.Unmap()
		if a.Is4() {
			b := a.As4()
			return o.hash(string(b[:])), true
		}
		b := a.As16()
		return o.hash(string(b[:])), true
	case "url":
		if r.URI == "" {
			return 0, false // a tcp session: no HTTP sample, round robin
		}
		return o.hash(r.URI), true
	case "path":
		if r.URI == "" {
			return 0, false
		}
		p := pathOf(r.URI)
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return o.hash(p), true
	case "hdr":
		if r.LastHeader == nil {
			return 0, false
		}
		v, ok := r.LastHeader(k.name)
		if !ok {
			return 0, false
		}
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		}
		return o.hash(strings.Trim(v, " \t")), true
	case "urlp":
		if _, q, ok := strings.Cut(r.URI, "?"); ok {
			if v, found := findParam(q, k.name); found {
				return o.hash(v), true
			}
		}
	}
	return 0, false
}
