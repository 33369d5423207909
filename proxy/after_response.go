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
	// be is the backend whose rules run before the frontend's on the next
	// page the proxy makes (nil: the frontend's only); afterPage clears it.
	be *backend
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
	s.after.edited = false
	if be != nil {
		changed = s.runAfterList(be.cfg.AfterResponseRules, resp)
	}
	return s.runAfterList(s.fe.cfg.AfterResponseRules, resp) || changed
}

// runAfterList runs one list of http-after-response rules (runAfterRules).
func (s *session) runAfterList(rules []HeaderRule, resp *http1.Response) (changed bool) {
	e := &s.after.edits
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch r.Action {
		case SetHeader, AddHeader, DelHeader, ReplaceHeader, ReplaceValue:
			if !s.after.edited {
				e.arena = e.arena[:0]
				e.list = append(e.list[:0], resp.Headers...)
				s.after.edited = true
			}
			if r.Action == ReplaceHeader || r.Action == ReplaceValue {
				e.replaceFields(r, &s.info)
			} else {
				e.apply(r, &s.info, nil) // strict-mode is refused here
			}
			resp.Headers = e.list
			changed = true
		case SetVar:
			r.Exec(&s.info)
		case SetStatus:
			resp.Status = r.Status
			reason := r.Value
			if reason == "" {
				reason = Reason(r.Status)
			}
			resp.Reason = append(resp.Reason[:0:0], reason...)
			changed = true
		case Allow:
			return changed
		}
	}
	return changed
}

// afterResponse runs the http-after-response rules on the server's
// response (forwardResponse): the persistence cookie joins its headers
// first, as HAProxy inserts it before these rules.
func (x *exchange) afterResponse() {
	s := x.s
	if len(s.fe.cfg.AfterResponseRules) == 0 && len(x.be.cfg.AfterResponseRules) == 0 {
		return
	}
	resp := &s.resp
	if len(x.extra) > 0 {
		hs := make([]http1.Header, 0, len(resp.Headers)+len(x.extra))
		resp.Headers = append(append(hs, resp.Headers...), x.extra...)
		x.extra = x.extra[:0]
	}
	s.runAfterRules(resp, x.be)
}

// afterPage returns page (a whole response the proxy made: head and body)
// as the http-after-response rules leave it (s.after.be's first), and notes in s.after.status
// the status a set-status gave it. page itself is returned when no rule
// changed it.
func (s *session) afterPage(page []byte) []byte {
	be := s.after.be
	s.after.status, s.after.be = 0, nil
	if be != nil && len(be.cfg.AfterResponseRules) == 0 {
		be = nil
	}
	if len(s.fe.cfg.AfterResponseRules) == 0 && be == nil {
		return page
	}
	resp := &s.after.resp
	if resp.Parse(page) != nil {
		return page
	}
	old := resp.Status
	if !s.runAfterRules(resp, be) {
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

// afterStatus is status, or the one the http-after-response rules gave
// the page the proxy just sent.
func (s *session) afterStatus(status int) int {
	if s.after.status != 0 {
		return s.after.status
	}
	return status
}
