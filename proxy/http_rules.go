package proxy

import (
	"bytes"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// runRequestRules runs the frontend's http-request rules, then its legacy
// redirect rules, in HAProxy's order, each on the request as the rules
// before it left it: the first deny, return or redirect whose condition
// holds answers the request; an allow ends the http-request rules (the
// header rules after it do not apply) but not the redirect rules. It returns whether the request was answered and, if so,
// whether the connection may carry another request.
func (s *session) runRequestRules() (answered, keep bool) {
	rules, lower := s.fe.cfg.RequestRules, s.fe.lowerNames
	s.method = s.method[:0]
	later := s.fe.countLater // counted after the content rules (backend_track.go)
	if s.firstContentRan {
		// the content rules ran on the connection's TCP stream
		// (switch_conn.go), whose variables the request keeps
		s.firstContentRan = false
		rules, lower = rules[s.fe.cfg.FirstContentSkip:], lower[s.fe.cfg.FirstContentSkip:]
		s.beginRequestKeepVars()
		later = false
	} else {
		s.beginRequest()
	}
	if tr := s.info.track; tr != nil {
		if later {
			tr.ended = false
		} else {
			tr.beginRequest()
		}
	}
	s.bodyWaited = false
	s.noteBody()
	if s.fe.cfg.BufferRequest {
		t := &s.fe.cfg.Timeouts
		if !s.waitBody(firstSet(t.HTTPRequest, t.Client), 0) {
			return true, false
		}
	}
	answered, keep, _ = s.runRuleList(rules, nil, lower)
	if !answered {
		answered, keep = s.frontendRequestTail()
	}
	if answered {
		// the first stream of a tcp frontend upgraded by its backend
		// counted a session there before these rules (switchmode.go)
		s.countUpgradedStream()
	}
	return answered, keep
}

// runRuleList runs one http-request rule list: a frontend's (be nil) or,
// once the request is routed, a backend's, whose answers name it, count
// in its counters too and take its error pages first. lower are the
// rules' header names in lower case. An allow ends this list only
// (allowed: the caller goes on with what follows it).
func (s *session) runRuleList(rules []HeaderRule, be *backend, lower []ruleName) (answered, keep, allowed bool) {
	skip := 0
rules:
	for i := range rules {
		if skip > 0 {
			skip--
			continue
		}
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		fits := true // false: a rewrite found no room (rewrite_room.go)
		switch r.Action {
		case ContentAccept:
			skip = r.Skip
			s.info.ranFinal(&r.Origin) // last_rule.go
		case ContentReject, ContentSilentDrop:
			s.info.ranFinal(&r.Origin)
			if be != nil {
				s.rejectBackendContent(be, r.Action == ContentSilentDrop) // backend_rules.go
				return true, false, false
			}
			s.rejectContent(r.Action == ContentSilentDrop) // actions_content.go
			return true, false, false
		case SetHeader, AddHeader, DelHeader:
			fits = s.applyHeaderRule(r, lower[i])
		case StrictMode:
			s.softRewrite = r.Status == 1 // actions_strict.go
		case SetVar, Capture:
			r.Exec(&s.info)
		case SetAddr:
			r.Exec(&s.info)
			s.takeAddrs() // actions_addr.go
		case WaitForBody:
			if !s.waitBodyOf(be, r.Wait, r.AtLeast) {
				return true, false, false
			}
		case TrackSC, SCIncGPC, SCSetGPT:
			s.runStickRule(r)
		case TrackSCContent:
			s.trackContent(r) // backend_track.go
		case CountContentTracks:
			s.countContentTracks()
		case CountFrontendRequest:
			s.countFrontendRequest()
		case SetTarget:
			fits = s.rewriteTarget(r)
		case ReplaceHeader, ReplaceValue:
			fits = s.replaceHeaderRule(r)
		case SetPath:
			src := s.info.Target
			aliased := len(src) > 0 && len(s.target) > 0 && &src[0] == &s.target[0]
			if aliased {
				src = append([]byte(nil), src...) // a second set-path: its source is s.target
			}
			path := r.Value
			if r.Format != nil {
				path = r.Format(&s.info) // on the request as it is now
			}
			s.target = setPath(s.target[:0], src, path)
			if fits = s.reqGrows(len(s.target) - len(src)); fits {
				s.info.Target = s.target
			} else if aliased {
				s.target = append(s.target[:0], src...)
				s.info.Target = s.target
			}
		case SetMethod:
			// Measured: HAProxy 2.6's method fetch (METH_PUT, ...) in
			// the rules after it still sees the client's method.
			old := len(s.info.Method)
			if len(s.method) > 0 {
				old = len(s.method)
			}
			if fits = s.reqGrows(len(r.Value) - old); fits {
				s.method = append(s.method[:0], r.Value...)
			}
		case Allow:
			s.info.ranFinal(&r.Origin)
			allowed = true
			break rules
		case Deny, Return, Redirect, Tarpit:
			s.info.ranFinal(&r.Origin)
			return true, s.answerRuleOf(r, be), false
		case UseService:
			s.info.ranFinal(&r.Origin)
			if be != nil { // a backend's: its http-after-response rules first
				s.after.be, s.appletBe = be, be
			}
			return true, s.answerServiceOf(r.Service, be), false
		case SetMark, SetTOS:
			s.setClientSockopt(r) // actions_sockopt.go
		case SetTimeout:
			s.setTimeout(r) // actions_timeout.go
		case NormalizeURI:
			if !s.normalizeURI(r) { // actions_normalize.go
				// strict: HAProxy's ACT_RET_INV, a bad request
				s.info.ranFinal(&r.Origin)
				return true, s.answerInvalidURI(), false
			}
		case EarlyHint:
			s.earlyHint(r) // actions_hint.go
		case SetLogLevel:
			s.tl.logLevel = int8(r.Status) // actions_log.go
		case CacheUse:
			s.cacheUse(r, be) // cache_use.go
		case Reject, SilentDrop:
			s.info.ranFinal(&r.Origin)
			s.dropClientOf(be, r.Action == SilentDrop) // actions_drop.go
			return true, false, false
		}
		if !fits {
			s.countFailedRewrite(be, nil, !s.softRewrite) // actions_strict.go
			if !s.softRewrite {
				s.info.ranFinal(&r.Origin) // HAProxy's ACT_RET_ERR
				return true, s.failRewrite(be), false
			}
		}
	}
	return false, false, allowed
}

// frontendRequestTail is what follows a frontend's http-request rules:
// its header name policy, its services, its redirect rules.
func (s *session) frontendRequestTail() (answered, keep bool) {
	if s.restrictHdrNames(s.fe.cfg.RestrictHdrNames) { // restrict_hdr_names.go
		return true, s.answerRule(&denyHdrNames)
	}
	// The frontend's services (its stats page) come after its rules, an
	// allow included: HAProxy checks the stats URI once they accepted
	// the request.
	for i := range s.fe.cfg.Services {
		if r := &s.fe.cfg.Services[i]; r.Cond == nil || r.Cond.Match(&s.info) {
			return true, s.answerService(r.Service)
		}
	}
	for i := range s.fe.cfg.Redirects {
		r := &s.fe.cfg.Redirects[i]
		if r.Cond == nil || r.Cond.Match(&s.info) {
			return true, s.answerRule(r) // not a last rule (measured)
		}
	}
	return false, false
}

// answerRule sends the response of a deny, return or redirect rule, with
// the connection header HAProxy's H1 layer appends to the responses it
// makes (writeAnswer).
func (s *session) answerRule(r *HeaderRule) bool { return s.answerRuleOf(r, nil) }

// answerRuleOf is answerRule for a backend's answer (be, nil: the
// frontend's): be's http-after-response rules run first and the log
// names it.
func (s *session) answerRuleOf(r *HeaderRule, be *backend) bool {
	fe := s.fe
	if be != nil {
		s.after.be = be
	}
	forceClose := r.Close
	status, t := r.Status, term('L', 'R')
	var page []byte
	switch {
	case r.Action == Redirect:
		status = r.Redirect.Code
	case r.Dynamic != nil:
		page = r.Dynamic.Build(&s.info)
	case r.Reply != nil:
		page = r.Reply
	default:
		if status == 0 {
			status = 403
		}
		page = s.errorPage(status, be)
		forceClose = forceClose || s.errorPageCloses(status, be)
		if r.Action == Return && r.Name != "" {
			page = withAuthHeader(page, r.Name, r.Value) // backend_rules.go
		}
	}
	switch r.Action {
	case Deny:
		t = term('P', 'R')
		s.countHTTPStatus(status, false)
		fe.stats.deniedReq.Add(1)
		if be != nil { // HAProxy counts the backend's too once it took the request
			be.stats.deniedReq.Add(1)
		}
	case Tarpit:
		t = term('P', 'T')
		s.countHTTPStatus(status, false)
		fe.stats.deniedReq.Add(1)
		s.tl.aborted = true // HAProxy logs a tarpitted request with TR -1
		d := fe.cfg.Timeouts.Tarpit
		if be != nil {
			be.stats.deniedReq.Add(1)
			d = be.cfg.Timeouts.Tarpit // HAProxy waits the current backend's
		}
		s.tarpit(d)
		// HAProxy's tarpit analyser sets the queue time when it ends:
		// logged Tw (measured: -1/N/-1/-1 ... PT--).
		s.tl.picked = time.Now()
	}
	if r.Action == Redirect {
		var buf [256]byte
		page = r.Redirect.AppendResponse(buf[:0], &s.info)
	}
	next, closeConn := s.writeAnswer(page, forceClose)
	if s.after.pageFailed {
		status = 500 // HAProxy counts the page it sent instead
	}
	fe.stats.countStatus(status)
	if be != nil { // HAProxy counts it in the backend that took the request
		be.stats.countStatus(status)
	}
	// A cookie read for the log also names its server there.
	s.emitLog(be, s.ruleCookies(r.Action == Deny || r.Action == Tarpit), s.afterStatus(status), s.afterTerm(t))
	if !closeConn {
		s.start = next
		return true
	}
	s.drainAndShut()
	return false
}

// writeAnswer writes a response the proxy makes itself, with the
// connection header HAProxy's H1 layer appends to those. Like HAProxy,
// the connection serves the next request (from next) when the request is
// whole in the buffer and the client keeps it; otherwise the answer says
// close (closeConn), and the caller ends the connection.
func (s *session) writeAnswer(page []byte, forceClose bool) (next int, closeConn bool) {
	req := &s.req
	next, whole := req.HeadLen, !req.Chunked && !req.CLWithTE
	if s.bodyWaited && req.Chunked && !req.CLWithTE {
		// A chunked body waited for and whole in the buffer: HAProxy
		// keeps the connection, as for a whole content-length body.
		var cs http1.Dechunker
		if n, err := cs.Check(s.buf[req.HeadLen:s.end]); err == nil && cs.Done() {
			next, whole = next+n, true
		}
	}
	if whole && req.ContentLength > 0 {
		whole = int64(s.end-req.HeadLen) >= req.ContentLength
		next += int(min(req.ContentLength, int64(s.end-req.HeadLen)))
	}
	closeConn = forceClose || !whole || req.WantsClose() || s.p.closeOnStop()
	out := s.withConnection(page, closeConn, req.Minor)
	s.clientWriteMessage(out)
	return next, closeConn || s.ownAnswerEnds()
}

// withConnection returns page with the connection header HAProxy's H1
// layer appends to the responses the proxy makes, in place of the page's
// own Connection field: close when the connection ends (an HTTP/1.0 page
// says nothing), keep-alive to an HTTP/1.0 client kept, nothing
// otherwise.
func (s *session) withConnection(page []byte, closeConn bool, reqMinor int) []byte {
	page = s.afterPage(page) // the http-after-response rules come first
	head, body := page, []byte(nil)
	if i := bytes.Index(page, []byte("\r\n\r\n")); i >= 0 {
		head, body = page[:i+2], page[i+4:]
		if string(s.req.Method) == "HEAD" {
			// HAProxy's H1 mux sends no payload in a response to a HEAD
			// request, its own pages included (measured on 2.6.12: an
			// http-request deny's 500 page, checkcache's page)
			page, body = page[:i+4], nil
		}
	}
	respMinor := 1
	if bytes.HasPrefix(page, []byte("HTTP/1.0 ")) {
		respMinor = 0
	}
	extra := ""
	switch {
	case closeConn && respMinor == 0:
	case closeConn:
		extra = "connection: close\r\n"
	case reqMinor == 0 || respMinor == 0:
		extra = "connection: keep-alive\r\n"
	}
	// The page's own Connection field is the message's, not sent
	// (bytes_count.go).
	conn := pageConnSize(page)
	if extra == "" && conn == 0 {
		return page
	}
	out := s.appendHeadWithoutConn(s.out[:0], head, conn)
	out = append(out, extra...)
	out = append(out, "\r\n"...)
	out = append(out, body...)
	s.out = out
	return out
}

// tarpit holds the request for the tarpit timeout d before the answer; a
// hard stop cuts it short.
func (s *session) tarpit(d time.Duration) {
	if d <= 0 {
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-s.p.aborted:
	}
}

// setPath appends to dst the target with its path replaced by path: an
// absolute URI keeps its scheme and authority, and the query string is
// kept, as HAProxy's set-path does.
func setPath(dst, target []byte, path string) []byte {
	start := pathStart(target)
	dst = append(dst, target[:start]...)
	dst = append(dst, path...)
	if q := bytes.IndexByte(target[start:], '?'); q >= 0 {
		dst = append(dst, target[start+q:]...)
	}
	return dst
}

// sentMethodIs says whether the request went to the server with method m
// (set-method's, else the client's).
func (s *session) sentMethodIs(m string) bool {
	if len(s.method) > 0 {
		return string(s.method) == m
	}
	return string(s.req.Method) == m
}
