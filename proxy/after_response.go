package proxy

import (
	"strconv"

	"github.com/goha-lb/goha/proxy/http1"
)

// http-after-response rules. HAProxy 2.6 runs them (http_eval_after_res_rules)
// on every final response the client gets: the server's, after its
// http-response rules and the persistence cookie, before compression edits
// the head; and every response the proxy makes itself through its reply
// path (deny, return, redirect, error pages, monitor-uri), before its H1
// layer appends the connection header. A page the H1 parser refuses a
// request with (400, 408) is the mux's own and sees no rule.

// afterState is what the http-after-response rules left of the last page
// they ran on.
type afterState struct {
	edits editedHeaders
	resp  http1.Response // a page the proxy made, parsed
	out   []byte         // that page as the rules left it
	// status is the status set-status gave the page (0: unchanged), which
	// HAProxy logs.
	status int
	edited bool // edits.list holds the head being edited
	soft   bool // strict-mode off
	// be is the backend whose rules run before the frontend's on the next
	// page the proxy makes (nil: the frontend's only); afterPage clears it.
	be *backend
	// For the rewrites that find no room (actions_strict.go): body is
	// the bytes of the body in HAProxy's buffer, base the layout the
	// http-response rules left (nil: the head as parsed), extra the
	// fields appended since (the persistence cookie), srv the server
	// counted; failed: a rewrite failed in strict mode.
	body   int
	base   *htxLayout
	extra  int
	srv    *server
	failed bool
	// pageFailed: the last page the proxy made was replaced by the 500
	// page (afterPage), logged with P and no request time (afterTerm).
	pageFailed bool
	// errPage: the page is an error the proxy answers with when no
	// server answered (503, 504, 502; set through nextErrPage), whose
	// failed rewrites HAProxy counts without an internal error, in the
	// request's backend and server (owner, srv) even when they have no
	// http-after-response rule (after_page_fail.go).
	errPage, nextErrPage bool
	owner                *backend
}

// runAfterRules runs the http-after-response rules of be (nil: none),
// then the frontend's, on resp, as HAProxy's http_eval_after_res_rules:
// each list in order, each rule on the head the rules before it left; an
// allow ends its own list only. It returns whether a rule changed the
// head. The fetches read resp (the res.* ones, status); the request
// variables are gone, as HAProxy prunes them before these rules.
func (s *session) runAfterRules(resp *http1.Response, be *backend) (changed bool) {
	s.info.endRequest()
	prev := s.info.resp
	s.info.resp = resp
	defer func() { s.info.resp = prev }()
	s.after.edited, s.after.failed, s.after.soft = false, false, false
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
	}
	if be != nil {
		s.tablesOf(be)
		changed = s.runAfterList(be.cfg.AfterResponseRules, resp, be)
		if s.after.failed {
			return true
		}
	}
	s.tablesOf(nil)
	return s.runAfterList(s.fe.cfg.AfterResponseRules, resp, be) || changed
}

// runAfterList runs one list of http-after-response rules (runAfterRules).
func (s *session) runAfterList(rules []HeaderRule, resp *http1.Response, be *backend) (changed bool) {
	e := &s.after.edits
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch r.Action {
		case SetHeader, AddHeader, DelHeader, ReplaceHeader, ReplaceValue:
			if !s.after.edited {
				s.startAfterEdits(resp)
			}
			changed = true
			fits := true
			if r.Action == ReplaceHeader || r.Action == ReplaceValue {
				_, fits = e.replaceFields(r, &s.info, func(delta int) bool {
					return respGrows(s.p.lim.htxRoom, resp, e, true, s.after.body, delta) // rewrite_room.go
				})
			} else {
				fits = e.apply(r, &s.info, func(name string, value []byte) bool {
					return respFits(s.p.lim.htxRoom, resp, e, s.after.body, name, value)
				})
			}
			resp.Headers = e.list
			if !fits && s.afterRewriteFailed(be, s.after.soft) {
				return changed
			}
		case StrictMode:
			s.after.soft = r.Status == 1
		case Capture:
			r.Exec(&s.info)
		case SetVar:
			r.Exec(&s.info)
		case SetStatus:
			// As in the http-response rules, a set-status without
			// room always fails strictly (measured on 2.6.12).
			if !respGrows(s.p.lim.htxRoom, resp, e, s.after.edited, s.after.body, statusGrowth(r, resp.Reason)) {
				if s.afterRewriteFailed(be, false) {
					return changed
				}
				break
			}
			resp.Status = r.Status
			reason := r.Value
			if reason == "" {
				reason = Reason(r.Status)
			}
			resp.Reason = append(resp.Reason[:0:0], reason...)
			changed = true
		case Allow:
			s.info.ranFinal(&r.Origin) // last_rule.go
			return changed
		}
	}
	return changed
}

// startAfterEdits begins editing resp's head, in the layout its
// buffer has (s.after.base, s.after.extra).
func (s *session) startAfterEdits(resp *http1.Response) {
	e := &s.after.edits
	e.start(resp.Headers)
	n := max(len(resp.Headers)-s.after.extra, 0)
	if s.after.base != nil {
		e.room.copyFrom(s.after.base)
	} else {
		e.room.reset(n)
	}
	for _, h := range resp.Headers[n:] {
		e.room.place(len(h.Name) + len(h.Value))
	}
	s.after.edited = true
}

// afterResponse runs the http-after-response rules on the server's
// response (forwardResponse): the persistence cookie joins its headers
// first, as HAProxy inserts it before these rules. It returns false when
// a rewrite found no room in strict mode.
func (x *exchange) afterResponse() bool {
	s := x.s
	if len(s.fe.cfg.AfterResponseRules) == 0 && len(x.be.cfg.AfterResponseRules) == 0 {
		return true
	}
	resp := &s.resp
	s.after.extra = len(x.extra)
	if len(x.extra) > 0 {
		hs := make([]http1.Header, 0, len(resp.Headers)+len(x.extra))
		resp.Headers = append(append(hs, resp.Headers...), x.extra...)
		x.extra = x.extra[:0]
	}
	s.after.body, s.after.srv, s.after.base = x.bufferedBody(), x.srv, nil
	s.after.errPage = false
	if x.resEdited {
		s.after.base = &s.resEdits.room
	}
	s.runAfterRules(resp, x.be)
	s.after.extra, s.after.srv, s.after.base = 0, nil, nil
	return !s.after.failed
}

// afterPage returns page (a whole response the proxy made: head and body)
// as the http-after-response rules leave it (s.after.be's first), and notes in s.after.status
// the status a set-status gave it. page itself is returned when no rule
// changed it.
func (s *session) afterPage(page []byte) []byte {
	be := s.after.be
	s.after.status, s.after.be, s.after.pageFailed = 0, nil, false
	s.after.owner, s.after.errPage, s.after.nextErrPage = be, s.after.nextErrPage, false
	if len(s.fe.cfg.AfterResponseRules) == 0 && (be == nil || len(be.cfg.AfterResponseRules) == 0) {
		return page
	}
	resp := &s.after.resp
	if resp.Parse(page) != nil {
		return page
	}
	old := resp.Status
	s.after.body = len(page) - resp.HeadLen
	changed := s.runAfterRules(resp, be)
	if s.after.failed {
		// A rewrite found no room in strict mode: HAProxy's
		// http_reply_and_close sends the 500 page instead, through the
		// rules once more, and failing again, as it is.
		s.after.pageFailed = true
		page = s.errorPage(500, be)
		if resp.Parse(page) != nil {
			return page
		}
		old, s.after.status = 0, 500
		s.after.body = len(page) - resp.HeadLen
		if !s.runAfterRules(resp, be) || s.after.failed {
			return page
		}
	} else if !changed {
		return page
	}
	if resp.Status != old {
		s.after.status = resp.Status
	}
	out := appendVersion(s.after.out[:0], resp.Minor, resp.Version)
	out = append(out, ' ')
	out = strconv.AppendInt(out, int64(resp.Status), 10)
	out = append(out, ' ')
	out = append(out, resp.Reason...)
	out = append(out, '\r', '\n')
	for _, h := range resp.Headers {
		out = appendHeader(out, h.Name, h.Value)
	}
	out = append(out, '\r', '\n')
	out = append(out, page[resp.HeadLen:]...)
	s.after.out = out
	return out
}

// afterTerm is t, or P and t's phase when a rewrite of the
// http-after-response rules failed on the page the proxy just sent
// (logged, as HAProxy does, with no request time).
func (s *session) afterTerm(t [2]byte) [2]byte {
	if !s.after.pageFailed {
		return t
	}
	s.tl.aborted = true
	return term('P', t[1])
}

// afterStatus is status, or the one the http-after-response rules gave
// the page the proxy just sent.
func (s *session) afterStatus(status int) int {
	if s.after.status != 0 {
		return s.after.status
	}
	return status
}

// afterRewriteFailed counts an http-after-response rewrite that found no
// room and reports whether it ends the rules (not soft: strict mode).
func (s *session) afterRewriteFailed(be *backend, soft bool) bool {
	if s.after.errPage {
		s.countFailedRewrite(s.after.owner, s.after.srv, false) // actions_strict.go
		s.after.failed = !soft
		return s.after.failed
	}
	s.countFailedRewrite(be, s.after.srv, !soft)
	s.after.failed = !soft
	return s.after.failed
}

// afterServiceHead runs the http-after-response rules on the head of a
// service's reply, out[start:] (the stats page's, the exporter's: HAProxy
// runs them on its applets' responses as on a server's), before the
// connection header, and returns out with the head as they left it. When
// a rewrite found no room in strict mode it returns the 500 page that
// replaces the reply instead (failed; afterPage).
func (s *session) afterServiceHead(out []byte, start int) (_, failed []byte) {
	page := s.afterPage(append(out, '\r', '\n')[start:])
	if s.after.pageFailed {
		return out, page
	}
	if len(page) >= 2 && &page[0] == &out[start] {
		return out, nil // unchanged
	}
	return append(out[:start], page[:len(page)-2]...), nil
}
