package proxy

import (
	"strconv"

	"github.com/goha-lb/goha/proxy/http1"
)

// appendHeader appends "name: value\r\n" with the name in lower case, the
// way HAProxy 2.6 writes every header on an HTTP/1 connection.
func appendHeader(out []byte, name, value []byte) []byte {
	n := len(out)
	out = append(out, name...)
	http1.LowerInPlace(out[n:])
	out = append(out, ':', ' ')
	out = append(out, value...)
	return append(out, '\r', '\n')
}

// connectionTokens appends the tokens of a Connection value that are not
// close/keep-alive (those describe the hop being replaced).
func connectionTokens(dst, v []byte) []byte {
	if !hasHopToken(v) {
		// Nothing to remove: HAProxy forwards the value as written.
		return append(dst, v...)
	}
	start := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && v[i] != ',' {
			continue
		}
		tok := v[start:i]
		start = i + 1
		for len(tok) > 0 && (tok[0] == ' ' || tok[0] == '\t') {
			tok = tok[1:]
		}
		for len(tok) > 0 && (tok[len(tok)-1] == ' ' || tok[len(tok)-1] == '\t') {
			tok = tok[:len(tok)-1]
		}
		if len(tok) == 0 || http1.EqualFold(tok, "close") || http1.EqualFold(tok, "keep-alive") {
			continue
		}
		if len(dst) > 0 {
			dst = append(dst, ',') // HAProxy joins the kept tokens without a space
		}
		dst = append(dst, tok...)
	}
	return dst
}

// hasHopToken reports whether a Connection value lists close or
// keep-alive.
func hasHopToken(v []byte) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		tok := v[:i]
		for len(tok) > 0 && (tok[0] == ' ' || tok[0] == '\t') {
			tok = tok[1:]
		}
		for len(tok) > 0 && (tok[len(tok)-1] == ' ' || tok[len(tok)-1] == '\t') {
			tok = tok[:len(tok)-1]
		}
		if http1.EqualFold(tok, "close") || http1.EqualFold(tok, "keep-alive") {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

// ruleTouches reports whether a set/del rule of the response (or of a
// service's answer) that applies removes header h. These rules still
// evaluate their conditions on the request, not in order on the message
// as the http-request rules do (rule_edits.go).
func ruleTouches(rules []HeaderRule, info *RequestInfo, name []byte) bool {
	for i := range rules {
		r := &rules[i]
		if (r.Action == SetHeader || r.Action == DelHeader) && http1.EqualFold(name, lowerASCII(r.Name)) &&
			ruleApplies(r, info) {
			return true
		}
	}
	return false
}

func ruleApplies(r *HeaderRule, info *RequestInfo) bool {
	return r.Cond == nil || r.Cond.Match(info)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			http1.LowerInPlace(b)
			return string(b)
		}
	}
	return s
}

func appendRuleHeaders(out []byte, rules []HeaderRule, info *RequestInfo) []byte {
	for i := range rules {
		r := &rules[i]
		if (r.Action == SetHeader || r.Action == AddHeader) && ruleApplies(r, info) {
			v := r.Value
			if r.Format != nil {
				v = r.Format(info)
			}
			out = appendHeader(out, []byte(r.Name), []byte(v))
		}
	}
	return out
}

// writeConnection emits the Connection header for the next hop: the
// client's own tokens minus close/keep-alive, plus what this hop needs.
func writeConnection(out, tokens []byte, extra string) []byte {
	if extra != "" {
		if len(tokens) > 0 {
			tokens = append(tokens, ", "...)
		}
		tokens = append(tokens, extra...)
	}
	if len(tokens) == 0 {
		return out
	}
	return appendHeader(out, []byte("connection"), tokens)
}

// buildRequestHead writes the request head sent to the server.
func (x *exchange) buildRequestHead() []byte {
	s, req := x.s, &x.s.req
	method := req.Method
	if len(s.method) > 0 {
		method = s.method // set-method
	}
	out := append(s.out[:0], method...)
	out = append(out, ' ')
	out = append(out, s.info.Target...) // set-path may have rewritten it
	out = append(out, ' ')
	out = appendVersion(out, req.Minor, req.Version)
	out = append(out, '\r', '\n')
	var conn [128]byte
	sendName := x.be.cfg.SendNameHeader // lower case (Backend)
	if x.srv == nil {
		sendName = ""
	}
	feNames, beNames := s.fe.nameLines, x.be.nameLines
	for _, h := range s.info.Headers() { // as the http-request rules left them
		if line := knownLine(h.Name, feNames, beNames); line != nil &&
			!(x.comp.dropAE || sendName != "") && len(h.Name) != len("connection") {
			// a rule's field: its name is in lower case and followed by
			// ": " where it is kept (names_filter.go)
			out = append(out, line...)
			out = append(out, h.Value...)
			out = append(out, '\r', '\n')
			continue
		}
		if http1.EqualFold(h.Name, "connection") {
			out = writeConnection(out, connectionTokens(conn[:0], h.Value), "")
			continue
		}
		if x.comp.dropAE && http1.EqualFold(h.Name, "accept-encoding") {
			continue // compression offload
		}
		if sendName != "" && http1.EqualFold(h.Name, sendName) {
			continue // http-send-name-header replaces the client's
		}
		out = appendHeader(out, h.Name, h.Value)
	}
	extra := ""
	// option http-pretend-keepalive (the backend's: its H1 connection
	// says) hides the close from the server; it still happens.
	sayClose := x.serverClose && !x.be.cfg.PretendKeepAlive
	switch {
	case req.ConnectTE:
		extra = "close" // a CONNECT's framing cannot be told (http1/connect.go)
	case req.IsUpgrade():
		// keep the upgrade token, never close a connection being upgraded
	case req.Minor == 0 && sayClose:
		// HTTP/1.0 closes by default: nothing to say
	case sayClose:
		extra = "close"
	case req.Minor == 0 && !req.Chunked:
		// (HAProxy 2.6 asks an HTTP/1.0 chunked request's server for
		// nothing: observed, testdata/http1 te-http10.)
		extra = "keep-alive"
	}
	ff := &s.fe.cfg.ForwardFor
	if !ff.Enabled {
		ff = &x.be.cfg.ForwardFor
	}
	if ff.Enabled && !(ff.Except.IsValid() && ff.Except.Contains(s.src.Addr())) &&
		(sendName == "" || !http1.EqualFold([]byte(ff.Header), sendName)) {
		name := ff.Header // proxy.New refused an empty one
		if !ff.IfNone || s.info.Header(lowerASCII(name)) == nil {
			n := len(out)
			out = append(out, name...)
			http1.LowerInPlace(out[n:])
			out = append(out, ':', ' ')
			out = s.src.Addr().AppendTo(out)
			out = append(out, '\r', '\n')
		}
	}
	out = appendOriginalTo(out, &s.fe.cfg.OriginalTo, &x.be.cfg.OriginalTo, s.dst.Addr(), sendName)
	// Each client Connection header was kept in place minus close and
	// keep-alive; what this hop needs goes in a header of its own, last,
	// as HAProxy's H1 output adds it after the message's fields
	// (X-Forwarded-For included; measured with an HTTP/1.0 request).
	out = writeConnection(out, nil, extra)
	if sendName != "" {
		// HAProxy adds it once the connection is being set up, after
		// the hop's Connection header (measured).
		out = appendServerName(out, sendName, x.srv.cfg.Name)
	}
	out = x.appendWSKey(out) // ws_key.go
	out = append(out, '\r', '\n')
	out = x.serverCase().adjustFields(out, false) // h1_case.go
	s.out = out
	return out
}

// buildResponseHead writes the response head sent to the client.
func (x *exchange) buildResponseHead() []byte {
	s, resp := x.s, &x.s.resp
	out := appendVersion(s.out[:0], resp.Minor, resp.Version)
	out = append(out, ' ')
	out = strconv.AppendInt(out, int64(resp.Status), 10)
	out = append(out, ' ') // even before an empty reason, as HAProxy writes it
	out = append(out, resp.Reason...)
	out = append(out, '\r', '\n')
	var conn [128]byte
	noLength := resp.Status == 204 || resp.Status < 200
	addedTE := x.h2AddedTE() // written after the connection header, as HAProxy's H1 output adds it
	for _, h := range resp.Headers {
		if noLength && http1.EqualFold(h.Name, "content-length") {
			continue // a 204 has no body to measure: HAProxy drops it
		}
		if http1.EqualFold(h.Name, "connection") {
			out = writeConnection(out, connectionTokens(conn[:0], h.Value), "")
			continue
		}
		out = appendHeader(out, h.Name, h.Value) // as the http-response rules left them
	}
	for _, h := range x.extra {
		out = appendHeader(out, h.Name, h.Value)
	}
	extra := ""
	switch {
	case resp.Status == 101, x.connectAccepted():
	case x.clientClose && resp.Minor == 0:
		// An HTTP/1.0 response closes by default: HAProxy says nothing
		// (an HTTP/1.1 one relayed to an HTTP/1.0 client gets
		// "connection: close").
	case x.clientClose:
		extra = "close"
	case s.req.Minor == 0 || resp.Minor == 0:
		extra = "keep-alive"
	}
	out = writeConnection(out, nil, extra)
	if addedTE {
		out = append(out, "transfer-encoding: chunked\r\n"...)
	}
	out = x.appendWSAccept(out) // ws_key.go
	out = append(out, '\r', '\n')
	out = s.clientCase().adjustFields(out, false) // h1_case.go
	s.out = out
	return out
}

// buildInterimHead writes a 1xx response relayed to the client: status
// line and header fields, names in lower case, as HAProxy re-emits it.
// It takes a buffer of its own: s.out may still hold the request body
// that a 100 Continue releases.
func (x *exchange) buildInterimHead() []byte {
	resp := &x.s.resp
	out := appendVersion(make([]byte, 0, 64+resp.HeadLen), resp.Minor, resp.Version)
	out = append(out, ' ')
	out = strconv.AppendInt(out, int64(resp.Status), 10)
	out = append(out, ' ')
	out = append(out, resp.Reason...)
	out = append(out, '\r', '\n')
	for _, h := range resp.Headers {
		out = appendHeader(out, h.Name, h.Value)
	}
	return x.s.clientCase().adjustFields(append(out, '\r', '\n'), false)
}

// appendVersion writes a message's version as HAProxy 2.6 re-emits it:
// "HTTP/1.1" for anything it speaks as HTTP/1.1, otherwise the version as
// received ("HTTP/1.0", "HTTP/0.9", or what accept-invalid-http-* let
// through, such as "HTTP/1.10" or "RTSP/1.0").
func appendVersion(out []byte, minor int, v []byte) []byte {
	switch {
	case minor == 1:
		return append(out, "HTTP/1.1"...)
	case len(v) == 0:
		return append(out, "HTTP/1.0"...)
	}
	return append(out, v...)
}
