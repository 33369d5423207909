package proxy

// runResponseRules runs the frontend's http-response rules in order on
// the server's response as the rules before them left it, as HAProxy
// runs them on its HTX message: a condition or %[...] value reads the
// headers an earlier rule set or removed (res.hdr_cnt counts them), and
// the client receives the list the last rule left. The edits replace
// resp.Headers with a list the session owns (taken at the first edit; the
// parser reuses it for the next response, harmlessly: it is copied onto
// itself). It returns the deny, return or redirect rule that answers
// instead of the server, or nil; an allow ends the rules.
func (x *exchange) runResponseRules() *HeaderRule {
	s, resp := x.s, &x.s.resp
	rules := s.fe.cfg.ResponseRules
	s.info.endRequest()
	edited, soft := false, false // each response starts in strict mode
	x.resEdited, x.rewriteFailed = false, false
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch r.Action {
		case SetHeader, AddHeader, DelHeader, ReplaceHeader, ReplaceValue:
			if !edited {
				s.resEdits.start(resp.Headers)
				edited, x.resEdited = true, true
			}
			if r.Action == ReplaceHeader || r.Action == ReplaceValue {
				s.resEdits.replaceFields(r, &s.info)
			} else if !s.resEdits.apply(r, &s.info, x.resFieldFits) {
				s.countFailedRewrite(x.be, x.srv, !soft) // actions_strict.go
				if !soft {
					resp.Headers = s.resEdits.list
					x.rewriteFailed = true
					return nil
				}
			}
			resp.Headers = s.resEdits.list
		case StrictMode:
			soft = r.Status == 1
		case SetVar, Capture:
			r.Exec(&s.info)
		case SCIncGPC, SCSetGPT:
			s.runStickRule(r) // on the counters the request tracked
		case SetMark, SetTOS:
			s.setClientSockopt(r) // actions_sockopt.go
		case SetLogLevel:
			s.tl.logLevel = int8(r.Status) // actions_log.go
		case SetStatus:
			x.setStatus(r) // actions_drop.go
		case WaitForBody:
			if !x.waitResponseBody(r.Wait, r.AtLeast) {
				x.respWaitFailed = true
				return nil
			}
		case Allow:
			return nil
		case Deny, Return, Redirect, SilentDrop:
			return r
		}
	}
	return nil
}
