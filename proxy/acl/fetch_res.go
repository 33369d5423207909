package acl

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Fetches of the response, for http-response rules (place.go refuses
// them elsewhere, as HAProxy does): its headers read as the request's
// header fetches read theirs, its Set-Cookie cookies, version and status.
func init() {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	rows := map[string]fetchDef{
		"res.hdr":       {out: str, use: useResHeader, build: resHeaderFetch(splitValues, false), lastInSample: true},
		"shdr":          {out: str, use: useResHeader, build: resHeaderFetch(splitValues, false), lastInSample: true},
		"res.fhdr":      {out: str, use: useResHeader, build: resHeaderFetch(fullLines, false), lastInSample: true},
		"res.hdr_cnt":   {out: sint, use: useResHeader, build: resHeaderFetch(splitValues, true)},
		"shdr_cnt":      {out: sint, use: useResHeader, build: resHeaderFetch(splitValues, true)},
		"res.fhdr_cnt":  {out: sint, use: useResHeader, build: resHeaderFetch(fullLines, true)},
		"res.cook":      {out: str, use: useResHeader, build: oneName(setCookie), lastInSample: true},
		"scook":         {out: str, use: useResHeader, build: oneName(setCookie), lastInSample: true},
		"res.hdr_names": {out: str, use: useResHeader, build: resHdrNames},
		// res.ver: the version without "HTTP/", as req.ver.
		"res.ver": {out: str, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, ok := strings.CutPrefix(bstr(r.ResponseVersion()), "HTTP/")
			return ok && yield(strValue(v))
		})},
		// Whether the compression filter compresses this response, and
		// with which algorithm (decided before the http-response rules).
		"res.comp": {out: haproxy.SampleBool, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(boolValue(r.CompAlgo() != ""))
		})},
		"res.comp_algo": {out: str, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			a := r.CompAlgo()
			return a != "" && yield(strValue(a))
		})},
		// Whether the response comes from a cache, and which
		// (proxy/cache_use.go).
		"res.cache_hit": {out: haproxy.SampleBool, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(boolValue(r.CacheHit()))
		})},
		"res.cache_name": {out: str, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			n, ok := r.CacheName()
			return ok && yield(strValue(n))
		})},
		"status": {out: sint, use: useResponse, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Status() > 0 && yield(value{t: sint, i: int64(r.Status())})
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// setCookie yields the value of each Set-Cookie header of the response
// whose cookie is called name: a Set-Cookie carries one cookie, its first
// name=value (the attributes after it are not cookies: cookie_extract.go
// and forEachSetCookie).
func setCookie(r *proxy.RequestInfo, name string, yield func(value) bool) bool {
	return forEachSetCookie(r, name, func(v string) bool { return yield(strValue(v)) })
}

// forEachSetCookie calls f with the value of each cookie called name (any
// name when name is "") of the Set-Cookie headers until f returns true: as
// HAProxy reads them, each comma-separated value of a Set-Cookie header is
// searched on its own ("a=1,2; Path=/" is "a=1" then "2; Path=/", whose
// Path=/ is a cookie), in its first name=value only.
func forEachSetCookie(r *proxy.RequestInfo, name string, f func(v string) bool) bool {
	return forEachResValue(r, "set-cookie", splitValues, func(v string) bool {
		return eachCookie(v, name, false, f)
	})
}
