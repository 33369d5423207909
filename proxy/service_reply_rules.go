package proxy

import (
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// The http-response rules on a service's reply (the prometheus
// exporter's), as HAProxy 2.6 runs them on its applet's HTX message
// (measured beside it: TestPromexResponseRulesMatchHAProxy): in order,
// each on the reply as the rules before it left it. The res.* fetches,
// status and the `capture response header` slots read the reply's head
// as the applet made it (its error page included); set-status changes
// its status and reason; set-var, unset-var and capture store; set-mark
// and set-tos set the client socket's option; a deny,
// return or redirect answers instead of the reply, the connection kept
// as for the reply; an allow ends its list (serviceResponseRules). The
// header edits are taken with the values they have when they run, and
// written where appendServiceReply writes them. %B counts the reply as
// the applet made it, before the rules' edits, plus the answer that
// replaced it, as HAProxy counts what entered its response channel.

// svcRules is what runServiceRules leaves: the header edits that ran,
// the rule answering instead of the reply (nil: none), and the reply's
// head as the fetches read it.
type svcRules struct {
	edits  []HeaderRule
	answer *HeaderRule
	// page is the error page with the replace-header/-value rules'
	// edits (nil: none); %B still counts the page as the applet made it.
	page []byte
}

// serviceHead sets s.resp to the head of rep (page: its error page, when
// the reply is one) for the fetches and captures, and captures the
// response header slots from it.
func (s *session) serviceHead(rep *ServiceReply, page []byte) {
	resp := &s.resp
	if page != nil {
		if resp.Parse(page) != nil {
			*resp = http1.Response{}
		}
	} else {
		hs := resp.Headers[:0]
		for _, h := range rep.Headers {
			hs = append(hs, http1.Header{Name: []byte(h.Name), Value: []byte(h.Value)})
		}
		*resp = http1.Response{Status: rep.Status, Minor: 1, Version: []byte("HTTP/1.1"),
			Reason: []byte(Reason(rep.Status)), Headers: hs}
	}
	s.info.resp = resp
	captureHeaders(&s.info.resCaps, s.fe.cfg.ResCaptures, resp.Headers)
}

// runServiceRules runs rules (serviceResponseRules' list) on the reply
// whose head serviceHead set (page: its error page, when it is one).
func (s *session) runServiceRules(rep *ServiceReply, page []byte, rules []HeaderRule) svcRules {
	out := svcRules{page: page}
	resp := &s.resp
	// HAProxy's http_wait_for_response counts the reply's status on the
	// tracked entries before the rules run, as a server's.
	s.countHTTPStatus(rep.Status, true)
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch r.Action {
		case SetHeader, AddHeader, DelHeader:
			e := *r
			e.Cond = nil
			if e.Format != nil {
				e.Value, e.Format = e.Format(&s.info), nil
			}
			out.edits = append(out.edits, e)
			editServiceHead(resp, &e)
		case SetStatus:
			rep.Status = r.Status
			reason := r.Value
			if reason == "" {
				reason = Reason(r.Status)
			}
			rep.Reason = reason
			resp.Status, resp.Reason = r.Status, []byte(reason)
		case ReplaceHeader, ReplaceValue:
			s.replaceServiceFields(rep, &out, r) // service_reply_replace.go
		case SetLogLevel:
			s.tl.logLevel = int8(r.Status) // actions_log.go
		case SetMark, SetTOS:
			s.setClientSockopt(r) // actions_sockopt.go
		case TrackSC:
			// HAProxy counted the reply's status on the entries tracked
			// before the rules; a response track-sc counts it on the
			// entry it starts tracking (measured on 2.6.12).
			tr := s.info.track
			had := tr == nil || tr.eff(r.Stick.SC).Valid()
			s.runStickRule(r) // a frontend's only (haproxycfg: backend_service.go)
			if !had {
				s.countStatusOn(r.Stick.SC, resp.Status, true)
			}
		case SCIncGPC, SCSetGPT:
			s.runStickRule(r)
		case SetVar, Capture:
			r.Exec(&s.info)
		case Deny, Return, Redirect, SilentDrop:
			s.info.ranFinal(&r.Origin)
			out.answer = r
			return out
		}
	}
	return out
}

// dropServiceReply ends a service's reply an http-response silent-drop
// stopped, as HAProxy 2.6.12 does (measured): nothing reaches the client,
// not even a close; the log line keeps the reply's status and size (%B:
// the reply as the service made it) with LR and no response time (Tr
// -1), and the frontend (and be, whose rule chose the service) count a
// denied request and the reply's status.
func (s *session) dropServiceReply(svc Service, be *backend, rep *ServiceReply, page []byte) {
	s.uncounted -= serviceReplySize(rep, page)
	s.fe.stats.deniedReq.Add(1)
	s.fe.stats.countStatus(rep.Status)
	if be != nil {
		be.stats.deniedReq.Add(1)
		be.stats.countStatus(rep.Status)
	}
	now := time.Now()
	s.tl.picked, s.tl.connected, s.tl.respHead = now, now, time.Time{}
	s.applet = svc
	s.emitLog(nil, nil, rep.Status, term('L', 'R'))
	s.applet, s.appletBe = nil, nil
	s.silenceClient()
	if s.stream != nil {
		s.stream.Drop()
	}
}

// editServiceHead applies a header edit to the head the fetches read.
func editServiceHead(resp *http1.Response, r *HeaderRule) {
	name := []byte(lowerASCII(r.Name))
	if r.Action != AddHeader {
		kept := resp.Headers[:0]
		for _, h := range resp.Headers {
			if !http1.EqualFold(h.Name, string(name)) {
				kept = append(kept, h)
			}
		}
		resp.Headers = kept
	}
	if r.Action != DelHeader {
		resp.Headers = append(resp.Headers, http1.Header{Name: name, Value: []byte(r.Value)})
	}
}

// serviceAnswer is the page an http-response deny, return or redirect
// sends instead of a service's reply (answerResponseRule's, for a
// server's response), its status, and whether it closes the connection.
func (s *session) serviceAnswer(r *HeaderRule, be *backend) (page []byte, status int, closes bool) {
	status, closes = r.Status, r.Close
	switch {
	case r.Action == Redirect:
		status = r.Redirect.Code
		var buf [256]byte
		page = r.Redirect.AppendResponse(buf[:0], &s.info)
	case r.Dynamic != nil:
		s.info.resp = nil // a reply's payload is built on an emptied response
		page = r.Dynamic.Build(&s.info)
	case r.Reply != nil:
		page = r.Reply
	default:
		if status == 0 {
			status = 502
		}
		page = s.errorPage(status, be)
		closes = closes || s.errorPageCloses(status, be)
	}
	return page, status, closes
}

// serviceReplySize is the HTX size of a service's reply as the applet
// made it (page: its error page), which HAProxy counts in %B.
func serviceReplySize(rep *ServiceReply, page []byte) int64 {
	if page != nil {
		return htxMessageSize(page) + pageConnSize(page)
	}
	var n int64
	for _, h := range rep.Headers {
		n += int64(len(h.Name) + len(h.Value))
	}
	line := 3 + len(Reason(rep.Status)) + len("HTTP/1.1")
	return int64(htxStartLine+line+htxEndOfHead) + n + int64(len(rep.Body))
}

// withStatusLine is page with its status line saying status and reason.
func withStatusLine(page []byte, status int, reason string) []byte {
	_, rest, _ := strings.Cut(string(page), "\r\n")
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + reason + "\r\n" + rest)
}
