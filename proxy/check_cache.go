package proxy

import (
	"github.com/goha-lb/goha/proxy/cache"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/persist"
)

// option checkcache, as HAProxy 2.6.12 (http_ana.c, measured): once the
// http-response rules and the cookie processing are done, a response the
// analysis finds cacheable with its cookies (TX_CACHEABLE and
// TX_CACHE_COOK) that carries a Set-Cookie or Set-Cookie2 field from the
// server is blocked:
//   - cacheable: a GET, HEAD, OPTIONS or TRACE request; a status
//     cacheable by default (200, 203, 204, 206, 300, 301, 404, 405, 410,
//     414, 501); no "Pragma: no-cache"; Cache-Control values read in
//     order ("public" makes it cacheable again, "private", "no-cache",
//     "no-store", "max-age=0", "s-maxage=0" not, `no-cache="set-cookie"`
//     not with cookies); freshness (max-age, s-maxage, Expires) or a
//     validator (ETag, Last-Modified) required; a `cookie ... insert
//     nocache` cookie the proxy adds makes it private;
//   - blocked: "Blocking cacheable cookie in response from instance B,
//     server S." is logged at alert level on the backend's targets and
//     stderr, the client gets the error page of the response's status
//     (HAProxy's http_error_message: 500's for a status without one)
//     and the connection closes; the transaction is logged with the
//     server's status, no response time and PH, counted as a denied
//     response, as an http-response deny.

// cacheableCookie reports whether the response is cacheable with a
// server cookie in it.
func (x *exchange) cacheableCookie() bool {
	s, resp := x.s, &x.s.resp
	if !persist.CacheableMethod(s.req.Method) || !persist.CacheableStatus(resp.Status) {
		return false
	}
	cookie := false
	for _, h := range resp.Headers {
		if http1.EqualFold(h.Name, "set-cookie") || http1.EqualFold(h.Name, "set-cookie2") {
			cookie = true
			break
		}
	}
	if !cookie {
		return false
	}
	for _, h := range x.extra {
		if http1.EqualFold(h.Name, "cache-control") {
			return false // the inserted cookie's "Cache-control: private"
		}
	}
	return cache.Storable(false, resp.Headers)
}

// blockCacheableCookie answers the client instead of the server.
func (x *exchange) blockCacheableCookie() bool {
	srv := "<dispatch>"
	if x.srv != nil && x.srv != x.be.dispatch {
		srv = x.srv.cfg.Name
	}
	if f := x.s.p.opt.Alert; f != nil {
		f(x.be.cfg.Name, "Blocking cacheable cookie in response from instance "+x.be.cfg.Name+", server "+srv+".")
	}
	status := x.s.resp.Status
	page := x.s.errorPage(status, x.be)
	if page == nil {
		page = x.s.errorPage(500, x.be)
	}
	return x.answerResponseRule(&HeaderRule{Action: Deny, Status: status, Reply: page, Close: true})
}
