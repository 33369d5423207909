package proxy

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// Service answers requests inside the proxy instead of a server: what
// HAProxy calls an applet (`http-request use-service <name>`, the stats
// page). The proxy hands it the parsed request and frames, sends, logs and
// counts its reply; a Service only computes the reply. Serve runs on the
// session's goroutine, concurrently with other sessions: it must be safe
// for concurrent use.
type Service interface {
	// LogName is the server name the log line shows for the requests it
	// answers, as HAProxy names its applets: "<PROMEX>", "<STATS>".
	LogName() string
	Serve(r *ServiceRequest) ServiceReply
}

// ServiceRequest is what a Service sees of a request.
type ServiceRequest struct {
	Src    netip.AddrPort
	Method string
	// Path and Query split the request target at its first '?' (Query
	// without it); an absolute URI's scheme and authority are left out.
	Path, Query string
	// Body is the request's body when it had a content-length and fit in
	// the session's buffer (bodies of forms and admin posts); nil else.
	Body []byte
	info *RequestInfo
}

// Header returns the value of the first header named name (pass it in
// lower case), or nil.
func (r *ServiceRequest) Header(name string) []byte {
	if r.info == nil {
		return nil
	}
	return r.info.Header(name)
}

// ServiceReply is a Service's answer; the proxy adds the framing and
// connection headers.
type ServiceReply struct {
	Status int
	// Reason is the status line's reason when an http-response
	// set-status gave one ("": the status's own).
	Reason string
	// Headers are sent in order, lower-case names, as HAProxy's; one of
	// them may be the content-length (of Body) where the service puts it,
	// else it follows them.
	Headers []ReplyHeader
	Body    []byte
	// Chunked frames the body with transfer-encoding: chunked (HAProxy's
	// prometheus exporter and stats page stream their output that way,
	// to HTTP/1.0 clients too, closing after); else content-length.
	Chunked bool
	// FramingLast: to an HTTP/1.0 request, the transfer-encoding header
	// of a chunked reply comes after every other, connection included,
	// and a HEAD request gets none, as HAProxy's H1 layer frames the
	// stats page's reply, which names no framing itself (measured).
	FramingLast bool
	// ErrorPage answers with HAProxy's own page for Status (not an
	// errorfile) and closes, as HAProxy's applets answer a request they
	// refuse (the exporter's 400 on a bad scope); the rest is unused.
	ErrorPage bool
}

// answerService runs r's service on the request and sends its reply. As
// for answerRule, the connection serves the next request when this one
// was whole in the buffer and the client keeps it. It returns whether the
// connection may carry another request.
func (s *session) answerService(svc Service) bool { return s.answerServiceOf(svc, nil) }

// answerServiceOf is answerService for a service a rule of be (nil: of the
// frontend) chose: as in HAProxy 2.6, a backend's reply goes through the
// backend's http-response rules, then the frontend's, the backend counts
// its status, and the frontend counts no interception (HAProxy counts
// one only when the frontend itself chose the applet).
func (s *session) answerServiceOf(svc Service, be *backend) bool {
	fe, req := s.fe, &s.req
	next, whole := req.HeadLen, !req.Chunked && !req.CLWithTE
	var body []byte
	if whole && req.ContentLength > 0 {
		s.readBodyInBuffer()
		have := int64(s.end - req.HeadLen)
		whole = have >= req.ContentLength
		if whole {
			body = s.buf[req.HeadLen : req.HeadLen+int(req.ContentLength)]
		}
		next += int(min(req.ContentLength, have))
	}
	path, query := requestPath(s.info.Target), []byte(nil)
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	sr := ServiceRequest{Src: s.src, Method: string(req.Method), Path: string(path), Query: string(query),
		Body: body, info: &s.info}
	// Counted before the service reads the counters, as HAProxy counts
	// the interception when the rule fires.
	if be == nil {
		fe.stats.intercepted.Add(1)
	}
	rep := svc.Serve(&sr)
	var rules []HeaderRule
	if be == nil {
		rules = serviceResponseRules(svc, &s.info, fe.cfg.ResponseRules, nil)
	} else {
		rules = serviceResponseRules(svc, &s.info, be.cfg.ResponseRules, fe.cfg.ResponseRules)
	}
	var page []byte // the one an error reply sends
	if rep.ErrorPage {
		page = builtinServicePage(rep.Status)
	}
	closeConn := !whole || req.WantsClose() || s.p.closeOnStop() || (rep.Chunked && req.Minor == 0) || rep.ErrorPage
	var answer []byte // an http-response deny, return or redirect's page
	edited := page    // page with the rules' replace-header/-value edits
	if sk, ok := svc.(responseRulesSkipper); !ok || !sk.SkipsResponseRules() {
		s.serviceHead(&rep, page) // service_reply_rules.go
		res := s.runServiceRules(&rep, page, rules)
		rules, edited = res.edits, res.page
		if r := res.answer; r != nil && r.Action == SilentDrop {
			s.dropServiceReply(svc, be, &rep, page) // service_reply_rules.go
			return false
		}
		if r := res.answer; r != nil {
			// The answer replaces the reply and the headers the rules
			// gave it; both are counted (%B), as HAProxy counts them.
			s.uncounted -= serviceReplySize(&rep, page)
			var status int
			var closes bool
			answer, status, closes = s.serviceAnswer(r, be)
			rep, page, rules = ServiceReply{Status: status, ErrorPage: true}, nil, nil
			closeConn = !whole || req.WantsClose() || s.p.closeOnStop() || closes
			if r.Action == Deny {
				fe.stats.deniedResp.Add(1)
				if be != nil {
					be.stats.deniedResp.Add(1)
				}
			}
		}
	}
	var out []byte
	if answer != nil {
		s.after.be = be // its http-after-response rules first
		out = s.withConnection(answer, closeConn, req.Minor)
	} else if rep.ErrorPage {
		made := page
		page = edited
		if rep.Reason != "" { // a set-status (service_reply_rules.go)
			page = withStatusLine(page, rep.Status, rep.Reason)
		}
		out = s.appendPageWithRules(s.out[:0], page, rules)
		if i := bytes.Index(out, []byte("\r\n\r\n")); i >= 0 && string(req.Method) == "HEAD" {
			out = out[:i+4] // no payload to a HEAD, as HAProxy's H1 mux sends its pages
		}
		s.out = out
		// HAProxy counts (%B) the page as its applet made it: not the
		// rules' edits (http-response, http-after-response), and its
		// payload even when a HEAD's answer leaves it out.
		s.uncounted += htxMessageSize(out) - htxMessageSize(made)
	} else {
		out = s.appendServiceReply(s.out[:0], &rep, rules, closeConn, string(req.Method) == "HEAD")
		s.out = out
		closeConn = closeConn || s.after.pageFailed // the 500 page closes
	}
	status := s.afterStatus(rep.Status) // a set-status of the http-after-response rules
	fe.stats.countStatus(status)
	if be != nil {
		be.stats.countStatus(status)
	}
	// The applet answers at once: no queue, connect or server time.
	now := time.Now()
	s.tl.picked, s.tl.connected, s.tl.respHead = now, now, now
	s.clientWriteMessage(out) // a listen section's backend half counts it (settleBytes)
	s.applet = svc
	s.emitLog(nil, nil, status, s.afterTerm(term('L', 'R')))
	s.applet, s.appletBe = nil, nil
	if !closeConn {
		s.start = next
		return true
	}
	s.drainAndShut()
	return false
}

// responseRulesSkipper is a Service whose replies HAProxy's response
// analysers leave alone (the stats page: http_process_res_common lets
// its reply pass untouched, while http-after-response rules still run on
// it); the exporter's replies do go through the http-response rules.
type responseRulesSkipper interface{ SkipsResponseRules() bool }

// appendServiceError appends the error page for status as HAProxy sends
// an applet's error: through its HTX layer (lower-case names, the 400 and
// 408 pages too), then connection: close.
func (s *session) appendServiceError(out []byte, status int) []byte {
	return s.appendErrorPage(out, status, s.fe.cfg.ResponseRules)
}

// appendErrorPage is appendServiceError with the header rules that apply
// to the page (none for an error met while the http-response rules run).
func (s *session) appendErrorPage(out []byte, status int, rules []HeaderRule) []byte {
	page := s.errorPage(status, nil)
	if _, custom := s.fe.errs[status]; !custom {
		if p, ok := ruleErrorPages[status]; ok {
			page = []byte(p)
		}
	}
	return s.appendPageWithRules(out, page, rules)
}

// builtinServicePage is HAProxy's own page for status, as an applet that
// refuses a request sends it whatever the errorfiles (the exporter's 400
// on a bad scope: measured with errorfile 400 in both proxies).
func builtinServicePage(status int) []byte {
	if p, ok := ruleErrorPages[status]; ok {
		return []byte(p)
	}
	return builtinPage(status)
}

// appendPageWithRules appends page through the header rules, then the
// http-after-response rules, with connection: close.
func (s *session) appendPageWithRules(out, page []byte, rules []HeaderRule) []byte {
	if len(rules) > 0 {
		// the header rules' fields, then the http-after-response rules
		page = withRuleHeaders(page, rules, &s.info)
	}
	return s.appendClosingPage(out, s.afterPage(page), nil)
}

// appendClosingPage appends page, a whole response the proxy made, with
// its connection header replaced by connection: close (none for an
// HTTP/1.0 page) and the header rules' fields before it.
func (s *session) appendClosingPage(out, page []byte, rules []HeaderRule) []byte {
	i := bytes.Index(page, []byte("\r\n\r\n"))
	if i < 0 {
		return append(out, page...)
	}
	head, body := page[:i+2], page[i+4:]
	for n := 0; len(head) > 0; n++ {
		line := head
		if j := bytes.Index(head, []byte("\r\n")); j >= 0 {
			line, head = head[:j+2], head[j+2:]
		} else {
			head = nil
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if n > 0 && http1.EqualFold(name, "connection") {
			// the page's own: HAProxy's message has it, counted (bytes_count.go)
			s.uncounted -= int64(len(name) + len(bytes.Trim(value, " \t\r\n")))
			continue
		}
		if n > 0 && ruleTouches(rules, &s.info, name) {
			continue
		}
		out = append(out, line...)
	}
	out = appendRuleHeaders(out, rules, &s.info)
	if !bytes.HasPrefix(page, []byte("HTTP/1.0 ")) {
		// an HTTP/1.0 page closes saying nothing, as withConnection
		out = append(out, "connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	return append(out, body...)
}

// readBodyInBuffer reads the rest of a content-length body that fits in
// the session's buffer (bounded by the client timeout).
func (s *session) readBodyInBuffer() {
	req := &s.req
	want := req.HeadLen + int(min(req.ContentLength, int64(len(s.buf)-req.HeadLen)))
	deadline := deadlineFrom(time.Now(), s.fe.cfg.Timeouts.Client)
	for s.end < want {
		n, err := s.clientRead(s.buf[s.end:want], time.Time{}, deadline)
		s.end += n
		if err != nil {
			return
		}
	}
}

// appendServiceReply frames a service's reply as HAProxy's H1 layer does:
// an HTTP/1.1 status line whatever the request's version, the service's
// headers, the framing header, then connection: close or keep-alive as
// answerRule adds them. A HEAD request gets the head only.
func (s *session) appendServiceReply(out []byte, rep *ServiceReply, rules []HeaderRule, closeConn, head bool) []byte {
	start := len(out)
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(rep.Status), 10)
	out = append(out, ' ')
	if rep.Reason != "" {
		out = append(out, rep.Reason...) // a set-status's
	} else {
		out = append(out, Reason(rep.Status)...)
	}
	out = append(out, "\r\n"...)
	// The frontend's http-response header rules apply, as HAProxy runs
	// them on an applet's response too (their headers after the framing).
	framed := false // a content-length among the service's own headers
	for _, h := range rep.Headers {
		if len(rules) > 0 && ruleTouches(rules, &s.info, []byte(h.Name)) {
			continue
		}
		framed = framed || h.Name == "content-length"
		out = appendHeader(out, []byte(h.Name), []byte(h.Value))
	}
	late := rep.Chunked && rep.FramingLast && s.req.Minor == 0
	if framed || late || rep.Chunked && rep.FramingLast && head {
		// below, or none with no body to frame
	} else if rep.Chunked {
		out = append(out, "transfer-encoding: chunked\r\n"...)
	} else {
		out = append(out, "content-length: "...)
		out = strconv.AppendInt(out, int64(len(rep.Body)), 10)
		out = append(out, "\r\n"...)
	}
	out = appendServiceRuleHeaders(out, rules, &s.info) // service_rules.go
	var failed []byte
	if out, failed = s.afterServiceHead(out, start); failed != nil {
		return s.appendClosingPage(out[:start], failed, nil)
	}
	switch {
	case closeConn:
		out = append(out, "connection: close\r\n"...)
	case s.req.Minor == 0:
		out = append(out, "connection: keep-alive\r\n"...)
	}
	if late {
		out = append(out, "transfer-encoding: chunked\r\n"...)
	}
	out = append(out, "\r\n"...)
	if head {
		return out
	}
	if !rep.Chunked {
		return append(out, rep.Body...)
	}
	return appendChunked(out, rep.Body, s.p.lim.headLimit)
}

// appendChunked appends body as chunks (hex sizes in upper case, as
// HAProxy writes them) and the last chunk. A chunk carries at most chunk
// bytes: HAProxy sends its applets' output a buffer at a time, less
// tune.maxrewrite (bufLimits.headLimit).
func appendChunked(out, body []byte, chunk int) []byte {
	for len(body) > 0 {
		n := min(len(body), chunk)
		out = strconv.AppendUint(out, uint64(n), 16)
		hex := out[len(out)-len(strconv.FormatUint(uint64(n), 16)):]
		for i, c := range hex {
			if c >= 'a' {
				hex[i] = c - 'a' + 'A'
			}
		}
		out = append(out, "\r\n"...)
		out = append(out, body[:n]...)
		out = append(out, "\r\n"...)
		body = body[n:]
	}
	return append(out, "0\r\n\r\n"...)
}
