package proxy

import "github.com/goha-lb/goha/proxy/stick"

// runResponseRules runs the backend's http-response rules, then the
// frontend's (backend_rules.go: a listen's are its frontend half's), in order on
// the server's response as the rules before them left it, as HAProxy
// runs them on its HTX message: a condition or %[...] value reads the
// headers an earlier rule set or removed (res.hdr_cnt counts them), and
// the client receives the list the last rule left. The edits replace
// resp.Headers with a list the session owns (taken at the first edit; the
// parser reuses it for the next response, harmlessly: it is copied onto
// itself). It returns the deny, return or redirect rule that answers
// instead of the server, or nil; an allow ends its own list.
func (x *exchange) runResponseRules() *HeaderRule {
	x.s.info.endRequest()
	x.resEdited, x.rewriteFailed = false, false
	soft := false // each response starts in strict mode
	if x.be != nil && len(x.be.cfg.ResponseRules) > 0 {
		// The backend's first; an allow there ends its list only
		// (HAProxy 2.6's http_process_res_common), reading the
		// backend's own table (backendTable).
		tr := x.s.info.track
		var own *stick.Table
		if tr != nil {
			own, tr.own = tr.own, tr.tables[x.be.cfg.Name]
		}
		r, stop := x.runResponseList(x.be.cfg.ResponseRules, &soft)
		if tr != nil {
			tr.own = own
		}
		if stop {
			return r
		}
	}
	r, _ := x.runResponseList(x.s.fe.cfg.ResponseRules, &soft)
	return r
}

// runResponseList runs one http-response rule list (runResponseRules);
// stop says the response's rules end here: r answers instead of the
// server, or a rewrite failed, or waiting for the body did.
func (x *exchange) runResponseList(rules []HeaderRule, softp *bool) (answer *HeaderRule, stop bool) {
	s, resp := x.s, &x.s.resp
	edited, soft := x.resEdited, *softp
	defer func() { *softp = soft }()
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
			fits := true
			if r.Action == ReplaceHeader || r.Action == ReplaceValue {
				_, fits = s.resEdits.replaceFields(r, &s.info, x.resGrows) // rewrite_room.go
			} else {
				fits = s.resEdits.apply(r, &s.info, x.resFieldFits)
			}
			resp.Headers = s.resEdits.list
			if !fits && x.failedRewrite(soft) {
				s.info.ranFinal(&r.Origin) // HAProxy's ACT_RET_ERR
				return nil, true
			}
		case StrictMode:
			soft = r.Status == 1
		case SetVar, Capture:
			r.Exec(&s.info)
		case SCIncGPC, SCSetGPT:
			s.runStickRule(r) // on the counters the request tracked
		case TrackSC:
			// counted as a request, as HAProxy's response track-sc
			// does; the response's status is counted next
			// (countResponse), as on a request's tracking
			s.runStickRule(r)
		case SetMark, SetTOS:
			s.setClientSockopt(r) // actions_sockopt.go
		case SetLogLevel:
			s.tl.logLevel = int8(r.Status) // actions_log.go
		case SetStatus:
			// HAProxy's set-status asks the request's strict mode
			// (txn->req.flags), not the response's; measured on
			// 2.6.12, it fails with a 500 even after http-request
			// strict-mode off.
			if !x.resGrows(statusGrowth(r, resp.Reason)) {
				if x.failedRewrite(false) {
					s.info.ranFinal(&r.Origin)
					return nil, true
				}
				break
			}
			x.setStatus(r) // actions_drop.go
		case WaitForBody:
			if !x.waitResponseBody(r.Wait, r.AtLeast) {
				x.respWaitFailed = true
				return nil, true
			}
		case CacheStore:
			x.cacheStore(r) // cache_store.go
		case Allow:
			s.info.ranFinal(&r.Origin) // last_rule.go
			return nil, false
		case Deny, Return, Redirect, SilentDrop:
			s.info.ranFinal(&r.Origin)
			return r, true
		}
	}
	return nil, false
}

// resGrows is reqGrows for the server's response under its http-response
// rules (rewrite_room.go).
func (x *exchange) resGrows(delta int) bool {
	return respGrows(x.s.p.lim.htxRoom, &x.s.resp, &x.s.resEdits, x.resEdited, x.bufferedBody(), delta)
}

// failedRewrite counts an http-response rewrite that found no room and
// reports whether it ends the rules: in strict mode the response is
// replaced by the 500 page (failResponseRewrite).
func (x *exchange) failedRewrite(soft bool) bool {
	x.s.countFailedRewrite(x.be, x.srv, !soft) // actions_strict.go
	if soft {
		return false
	}
	x.rewriteFailed = true
	return true
}
