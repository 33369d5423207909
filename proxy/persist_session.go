package proxy

import (
	"bytes"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/persist"
)

// Cookie persistence on the HTTP path: proxy/persist decides, the session
// applies (the server the cookie designates, the Cookie headers the
// server receives, the Set-Cookie headers the client receives, the log's
// %tsc characters), at HAProxy 2.6's points: after the backend is chosen,
// and once the response head is in.

// cookieTxn is one transaction's persistence state.
type cookieTxn struct {
	// logged: the backend's cookie mode makes %tsc show the states
	// (HAProxy shows them for rewrite, insert, prefix or indirect).
	logged bool
	req    persist.Request
	set    persist.SetState
	pin    pin
	// capReq and capRsp are what `capture cookie` took (%CC, %CS).
	capReq, capRsp string
}

// pin is the server persistence sends a request to, for connect: srv nil
// means the balancer picks.
type pin struct {
	srv *server
	// force: a `force-persist` rule matched: never redispatched.
	force bool
	// left: option redispatch moved the request to another server.
	left bool
}

// persistRules evaluates the backend's force-persist/ignore-persist rules:
// the first whose condition holds decides.
func (s *session) persistRules(be *backend) (force, ignore bool) {
	for _, r := range be.cfg.PersistRules {
		if r.Cond == nil || r.Cond.Match(&s.info) {
			return r.Force, !r.Force
		}
	}
	return false, false
}

// scanCookies reads the request's persistence cookie for backend be, edits
// the Cookie headers the server will receive and sets s.ck.
func (s *session) scanCookies(be *backend) {
	c := be.cfg.Cookie
	s.ck = cookieTxn{req: persist.Request{Server: -1}}
	force, ignore := s.persistRules(be)
	s.ck.pin.force = force
	s.ck.req.Ignore = ignore
	if name := s.fe.cfg.CaptureCookie; name != "" {
		s.ck.capReq, _ = persist.CaptureRequest(headerValues(s.info.Headers(), "cookie"), name, s.fe.cfg.CaptureCookieLen)
	}
	if c == nil {
		return
	}
	s.ck.logged = cookieLogged(c)
	var idx []int
	var vals [][]byte
	for i, h := range s.info.Headers() {
		if http1.EqualFold(h.Name, "cookie") {
			idx = append(idx, i)
			vals = append(vals, append([]byte(nil), h.Value...))
		}
	}
	if len(idx) == 0 {
		return
	}
	list := be.list() // one snapshot: `add server` may replace it
	servers := make([]persist.Server, len(list))
	be.mu.Lock()
	for i, sv := range list {
		servers[i] = persist.Server{Cookie: sv.cookieValue(), Up: sv.bal.Up}
	}
	be.mu.Unlock()
	out, r := c.Scan(vals, persist.Facts{Servers: servers, Now: time.Now().Unix(), Ignore: ignore, Persist: be.cfg.Persist || force})
	s.ck.req = r
	if r.Server >= 0 {
		s.ck.pin.srv = list[r.Server]
	}
	hs := s.info.Headers()
	changed := false
	for k, i := range idx {
		if out[k] == nil || !bytes.Equal(out[k], hs[i].Value) {
			changed = true
		}
	}
	if !changed {
		return
	}
	hs = s.editable()
	kept := hs[:0]
	k := 0
	for i, h := range hs {
		if k < len(idx) && idx[k] == i {
			v := out[k]
			k++
			if v == nil {
				continue
			}
			h.Value = s.edits.keep(string(v))
		}
		kept = append(kept, h)
	}
	clear(hs[len(kept):])
	s.edits.list = kept
	s.info.hdrs = kept
}

// ruleCookies sets what the log shows of a listen section's cookie for a
// request its own rules answered: HAProxy reads the request's cookie for
// the log when it denies or tarpits (scan), and otherwise logs the
// states of a cookie never read. It returns the server the cookie
// designates, which HAProxy's log names.
func (s *session) ruleCookies(scan bool) *server {
	if name := s.fe.cfg.CaptureCookie; scan && name != "" {
		// Measured: HAProxy's deny path captures the cookie too.
		s.ck.capReq, _ = persist.CaptureRequest(headerValues(s.info.Headers(), "cookie"), name, s.fe.cfg.CaptureCookieLen)
	}
	be := s.fe.self
	if be == nil || be.cfg.Cookie == nil {
		return nil
	}
	if !scan {
		s.ck.logged = cookieLogged(be.cfg.Cookie)
		return nil
	}
	s.scanCookies(be)
	return s.ck.pin.srv
}

// cookieLogged: HAProxy's %tsc shows the cookie states for the rewrite,
// insert and prefix modes and for indirect, not for a passive cookie.
func cookieLogged(c *persist.Cookie) bool {
	return c != nil && (c.Mode != persist.Passive || c.Indirect)
}

// redispatched notes that the request left the server its cookie
// designated (option redispatch): the cookie was for a server it did not
// reach, and the response gets a new one.
func (s *session) redispatched() {
	if !s.ck.pin.left {
		return
	}
	if s.ck.req.State == persist.Valid {
		s.ck.req.State = persist.Down
	}
	s.ck.req.Direct = false
}

// cookieChars are the last two characters of %tsc ("--" when the backend
// has no cookie, or a passive one).
func (s *session) cookieChars() [2]byte {
	if !s.ck.logged {
		return [2]byte{'-', '-'}
	}
	return [2]byte{s.ck.req.State.Char(), s.ck.set.Char()}
}

// responseCookies edits the server's Set-Cookie headers and computes the
// headers the proxy adds (Set-Cookie, then Cache-control: private).
func (x *exchange) responseCookies() {
	s, resp := x.s, &x.s.resp
	c := x.be.cfg.Cookie
	x.extra = x.extra[:0]
	if resp.Status < 200 && resp.Status != 101 {
		return
	}
	if name := s.fe.cfg.CaptureCookie; name != "" {
		s.ck.capRsp, _ = persist.CaptureResponse(headerValues(resp.Headers, "set-cookie"), name, s.fe.cfg.CaptureCookieLen)
	}
	if c == nil {
		return
	}
	rs := persist.Response{Server: x.srv.cookieValue(), HasServer: true, Now: time.Now().Unix(),
		Post: string(s.req.Method) == "POST"}
	// Every Set-Cookie first, then every Set-Cookie2, as HAProxy reads
	// them; the fields keep their places.
	var changed map[int][]byte // index -> new value (nil: removed)
	for pass, name := range []string{"set-cookie", "set-cookie2"} {
		for i, h := range resp.Headers {
			if !http1.EqualFold(h.Name, name) {
				continue
			}
			v, keep := []byte(nil), false
			if pass == 0 {
				v, keep = c.SetCookie(append([]byte(nil), h.Value...), &s.ck.req, &rs, &s.ck.set)
			} else {
				v, keep = c.SetCookie2(append([]byte(nil), h.Value...), &s.ck.req, &rs, &s.ck.set)
			}
			if !keep || !bytes.Equal(v, h.Value) {
				if changed == nil {
					changed = map[int][]byte{}
				}
				if !keep {
					v = nil
				}
				changed[i] = v
			}
		}
	}
	if changed != nil {
		edited := make([]http1.Header, 0, len(resp.Headers))
		for i, h := range resp.Headers {
			if v, ok := changed[i]; ok {
				if v == nil {
					continue
				}
				h.Value = v
			}
			edited = append(edited, h)
		}
		resp.Headers = edited
	}
	if c.NoCache {
		rs.Cacheable = persist.CacheableMethod(s.req.Method) && persist.CacheableStatus(resp.Status)
		if rs.Cacheable {
			hs := make([]persist.Header, len(resp.Headers))
			for i, h := range resp.Headers {
				hs[i] = persist.Header{Name: h.Name, Value: h.Value}
			}
			rs.Cacheable = persist.Cacheable(true, hs)
		}
	}
	if v, private := c.Insert(&s.ck.req, &rs, &s.ck.set); v != nil {
		x.extra = append(x.extra, http1.Header{Name: []byte("set-cookie"), Value: v})
		if private {
			x.extra = append(x.extra, http1.Header{Name: []byte("cache-control"), Value: []byte("private")})
		}
	}
}

// headerValues are the values of the fields named name, in order (nil
// for none).
func headerValues(hs []http1.Header, name string) [][]byte {
	var out [][]byte
	for _, h := range hs {
		if http1.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}
