package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/stick"

	"golang.org/x/net/http2"
)

// backendRequest runs what a backend does with a request a frontend
// routed to it, in HAProxy 2.6's order (http_process_req_common on the
// backend): its http-request rules, its header name policy, its stats
// page, its redirect lines. An allow ends only the backend's http-request
// rules. A listen section's rules and redirects are its frontend half's
// and ran already (its Backend lists are empty). It returns whether the
// request was answered and, if so, whether the connection goes on.
func (s *session) backendRequest(be *backend) (answered, keep bool) {
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own)
		tr.own = tr.tables[be.cfg.Name] // backendTable
	}
	if len(be.cfg.RequestRules) > 0 {
		if answered, keep, _ = s.runRuleList(be.cfg.RequestRules, be, be.lowerNames); answered {
			return true, keep
		}
	}
	if answered, keep = s.restrictBackendHdrNames(be); answered {
		return true, keep
	}
	for i := range be.cfg.Services {
		if r := &be.cfg.Services[i]; r.Cond == nil || r.Cond.Match(&s.info) {
			s.after.be, s.appletBe = be, be // its http-after-response rules first
			// counted in the backend, not as the frontend's interception
			return true, s.answerServiceOf(r.Service, be)
		}
	}
	for i := range be.cfg.Redirects {
		if r := &be.cfg.Redirects[i]; r.Cond == nil || r.Cond.Match(&s.info) {
			return true, s.answerRuleOf(r, be)
		}
	}
	return false, false
}

// withAuthHeader is page with the field name: value appended to its head:
// a backend's http-request auth, whose 401 page is the backend's, else
// the frontend's (errorPage), known only once a frontend routed the
// request there.
func withAuthHeader(page []byte, name, value string) []byte {
	i := bytes.Index(page, []byte("\r\n\r\n"))
	if i < 0 {
		return page
	}
	out := make([]byte, 0, len(page)+len(name)+len(value)+4)
	out = append(out, page[:i+2]...)
	out = append(out, name...)
	out = append(out, ": "...)
	out = append(out, value...)
	out = append(out, "\r\n"...)
	return append(out, page[i+2:]...)
}

// rejectBackendContent ends a request a backend's tcp-request content
// reject refused, as HAProxy 2.6 does (measured): the client connection
// closes without an answer, the frontend counts a denied request (the
// backend does not), both count a response without status, and the log
// names the backend with no status, TR -1 and PR. silent: a content
// silent-drop, which the backend counts as a denied request too and the
// client is not told of (measured).
func (s *session) rejectBackendContent(be *backend, silent bool) {
	s.tl.aborted = true
	s.fe.stats.deniedReq.Add(1)
	s.fe.stats.countStatus(0)
	be.stats.countStatus(0)
	if silent {
		be.stats.deniedReq.Add(1)
		s.silenceClient() // actions_drop.go
	}
	s.emitLog(be, nil, 0, term('P', 'R'))
	if s.stream != nil {
		// HAProxy's H2 mux resets the stream with ENHANCE_YOUR_CALM and
		// ends the connection (measured: the client dials again).
		s.stream.KillConn(http2.ErrCodeEnhanceYourCalm)
	}
}

// backendTable: while a backend's rules run, the fetches that name no
// table (src_get_gpc0, table_cnt, ...) read the backend's own, as HAProxy
// resolves a missing table argument to the section the rule is written in
// (measured: TestBackendTrackMatchesHAProxy). ownFrom puts the frontend's
// back once they ran.
func (tr *tracking) ownFrom(t *stick.Table) { tr.own = t }

// tablesOf makes be's table (nil: the frontend's) the one the fetches
// without a table read, for the rules of that section about to run.
func (s *session) tablesOf(be *backend) {
	if tr := s.info.track; tr != nil {
		if be != nil {
			tr.own = tr.tables[be.cfg.Name]
		} else {
			tr.own = s.fe.cfg.Table
		}
	}
}
