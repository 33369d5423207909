package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// fetchFunc reads a sample's values from a request; false when the request
// has none (the "no sample" outcome: the ACL does not match).
type fetchFunc func(r *proxy.RequestInfo) ([]string, bool)

// fetchDef is one row of the fetch table.
type fetchDef struct {
	out haproxy.SampleType // the sample type it returns
	// layer4 is set for fetches with a value as soon as a connection is
	// accepted (usable by tcp-request connection rules).
	layer4 bool
	// constant is the value of a fetch that does not depend on the
	// request; build is not called for it.
	constant *bool
	build    func(args []haproxy.Arg) (fetchFunc, error)
}

var (
	vTrue, vFalse = true, false
)

// fetches are the sample fetches the engine evaluates, by name. An ACL
// keyword with a match suffix (path_beg) reaches the row of its base
// fetch (path): the parser splits the two.
var fetches = map[string]fetchDef{
	"always_true":  {out: haproxy.SampleBool, layer4: true, constant: &vTrue},
	"always_false": {out: haproxy.SampleBool, layer4: true, constant: &vFalse},
	// True on a connection whose TLS this proxy terminated (bind ... ssl).
	"ssl_fc": {out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo) ([]string, bool) { return []string{boolStr(r.TLS != nil)}, true })},
	// The TLS client connection's SNI and protocol (OpenSSL's names).
	"ssl_fc_sni": {out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo) ([]string, bool) {
		if r.TLS == nil || r.TLS.ServerName == "" {
			return nil, false
		}
		return []string{r.TLS.ServerName}, true
	})},
	"ssl_fc_protocol": {out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo) ([]string, bool) {
		if r.TLS == nil {
			return nil, false
		}
		return []string{tlsconf.VersionName(r.TLS.Version)}, true
	})},
	"path":   {out: haproxy.SampleStr, build: noArgs(fetchPath)},
	"url":    {out: haproxy.SampleStr, build: noArgs(fetchURL)},
	"query":  {out: haproxy.SampleStr, build: noArgs(fetchQuery)},
	"method": {out: haproxy.SampleMeth, build: noArgs(fetchMethod)},
	"base":   {out: haproxy.SampleStr, build: noArgs(fetchBase)},
	"src":    {out: haproxy.SampleIPv4, layer4: true, build: noArgs(fetchSrc)},

	"hdr":          {out: haproxy.SampleStr, build: headerFetch(splitValues, false)},
	"req.hdr":      {out: haproxy.SampleStr, build: headerFetch(splitValues, false)},
	"fhdr":         {out: haproxy.SampleStr, build: headerFetch(fullLines, false)},
	"req.fhdr":     {out: haproxy.SampleStr, build: headerFetch(fullLines, false)},
	"hdr_cnt":      {out: haproxy.SampleSInt, build: headerFetch(splitValues, true)},
	"req.hdr_cnt":  {out: haproxy.SampleSInt, build: headerFetch(splitValues, true)},
	"fhdr_cnt":     {out: haproxy.SampleSInt, build: headerFetch(fullLines, true)},
	"req.fhdr_cnt": {out: haproxy.SampleSInt, build: headerFetch(fullLines, true)},

	"url_param": {out: haproxy.SampleStr, build: oneName(queryParam)},
	"urlp":      {out: haproxy.SampleStr, build: oneName(queryParam)},
	"cook":      {out: haproxy.SampleStr, build: oneName(cookie)},
	"req.cook":  {out: haproxy.SampleStr, build: oneName(cookie)},
}

// noArgs is the builder of a fetch without arguments. Like HAProxy's
// fetches without argument, "path()" is accepted.
func noArgs(f fetchFunc) func([]haproxy.Arg) (fetchFunc, error) {
	return func([]haproxy.Arg) (fetchFunc, error) { return f, nil }
}

// oneName is the builder of a fetch taking one non-empty name.
func oneName(f func(r *proxy.RequestInfo, name string) ([]string, bool)) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 || args[0].Str == "" {
			return nil, fmt.Errorf("expects one name")
		}
		name := args[0].Str
		return func(r *proxy.RequestInfo) ([]string, bool) { return f(r, name) }, nil
	}
}

func fetchPath(r *proxy.RequestInfo) ([]string, bool) {
	return []string{pathOf(r.Target)}, r.Target != nil
}

func fetchURL(r *proxy.RequestInfo) ([]string, bool) {
	return []string{string(r.Target)}, r.Target != nil
}

func fetchQuery(r *proxy.RequestInfo) ([]string, bool) {
	_, q, ok := strings.Cut(string(r.Target), "?")
	return []string{q}, ok
}

func fetchMethod(r *proxy.RequestInfo) ([]string, bool) {
	return []string{string(r.Method)}, r.Method != nil
}

func fetchBase(r *proxy.RequestInfo) ([]string, bool) {
	return []string{string(hostFor(r)) + pathOf(r.Target)}, r.Target != nil
}

func fetchSrc(r *proxy.RequestInfo) ([]string, bool) {
	return []string{r.Src.Addr().Unmap().String()}, r.Src.IsValid()
}

// pathOf is HAProxy's `path`: the target without the query string, and
// without scheme and authority for an absolute URI.
func pathOf(target []byte) string {
	t := string(target)
	if i := strings.Index(t, "://"); i > 0 && !strings.HasPrefix(t, "/") {
		rest := t[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			t = rest[j:]
		} else {
			t = "/"
		}
	}
	if i := strings.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	return t
}

// queryParam returns the values of name in the target's query string
// (url_param/urlp: matched as written, without decoding).
func queryParam(r *proxy.RequestInfo, name string) ([]string, bool) {
	_, q, ok := strings.Cut(string(r.Target), "?")
	if !ok {
		return nil, false
	}
	var out []string
	for _, kv := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' }) {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			out = append(out, v)
		}
	}
	return out, len(out) > 0
}

// cookie returns the values of the cookie name in every Cookie header
// (HAProxy's cook() reads them all, and takes ',' as a separator as well
// as ';').
func cookie(r *proxy.RequestInfo, name string) ([]string, bool) {
	var out []string
	for _, h := range r.Headers() {
		if !http1.EqualFold(h.Name, "cookie") {
			continue
		}
		for _, part := range strings.FieldsFunc(string(h.Value), func(c rune) bool { return c == ';' || c == ',' }) {
			if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == name {
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out, len(out) > 0
}
