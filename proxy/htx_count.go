package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/http1"
)

// HAProxy 2.6 logs as %B and %U (and counts as bytes_out/bytes_in) the
// size of each message in its internal HTX form as the H1 parser built it
// from what was received, before any rule edits it: the start line's three
// strings plus 20 bytes of start-line block, each header's name and value
// (no ": " nor CR LF), 1 byte of end-of-headers, the body's data without
// chunk framing, and for a chunked body each trailer's name and value plus
// 1 byte of end-of-trailers. The Connection header the parser consumed
// (close or keep-alive only) is not there, and neither is what the H1
// output adds (connection: close, chunk sizes). Measured on 2.6.12: a
// response "HTTP/1.1 200 OK" with four headers of 59 bytes of names and
// values and 6 bytes of body logs %B 99 whatever http-response rules did;
// its 403 page logs 192 (TestLogBytesMatchHAProxy).
const (
	htxStartLine = 20 // struct htx_sl besides its three strings
	htxEndOfHead = 1  // the EOH block
	htxEndOfTrl  = 1  // the EOT block of a chunked message
)

// htxHeadSize is the HTX size of a message head: its start line's three
// parts and its header fields as received.
func htxHeadSize(a, b, c []byte, hs []http1.Header) int64 {
	n := int64(htxStartLine + len(a) + len(b) + len(c) + htxEndOfHead)
	for _, h := range hs {
		if http1.EqualFold(h.Name, "connection") && onlyHopTokens(h.Value) {
			continue
		}
		n += int64(len(h.Name) + len(h.Value))
	}
	return n
}

// onlyHopTokens reports whether a Connection value lists nothing but close
// and keep-alive, which HAProxy's H1 parser takes out of the message
// (dropping a field left empty).
func onlyHopTokens(v []byte) bool { return http1.OnlyHopTokens(v) }

// htxMessageSize is the HTX size of a whole response goha builds itself
// (an error page, a deny or return reply, a redirect): HAProxy builds the
// same message as HTX and counts it so. The head's line ends may be CR LF
// or LF; a message without an empty line is all head. Its connection
// header (close or keep-alive) is the H1 output's, not counted; a page's
// own Connection field, which HAProxy's message has, is taken out before
// and counted there (bytes_count.go).
func htxMessageSize(raw []byte) int64 {
	head, body := raw, []byte(nil)
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head, body = raw[:i+2], raw[i+4:]
	}
	line, rest, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	version, line, _ := bytes.Cut(line, []byte(" "))
	status, reason, _ := bytes.Cut(line, []byte(" "))
	n := int64(htxStartLine + len(version) + len(status) + len(reason) + htxEndOfHead + len(body))
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.Trim(value, " \t")
		if http1.EqualFold(name, "connection") && onlyHopTokens(value) {
			continue
		}
		n += int64(len(name) + len(value))
	}
	return n
}

// statusDigits is a status code's three digits as the status line carried
// them (the parser accepts exactly three).
func statusDigits(code int) []byte {
	return []byte{byte('0' + code/100%10), byte('0' + code/10%10), byte('0' + code%10)}
}

// clientWriteMessage writes a whole response goha built, counted for the
// log as HAProxy counts the same message (htxMessageSize).
// Its header names take the case h1-case-adjust gives them (h1_case.go).
func (s *session) clientWriteMessage(p []byte) error {
	return s.clientWriteRaw(s.clientCase().adjustFields(p, true))
}

// clientWriteRaw is clientWriteMessage for a page written as is: what
// HAProxy's H1 parser sends itself.
// HAProxy counts the message it made even when the client does not take
// it (an HTTP/2 stream reset meanwhile): so is the part left unwritten.
func (s *session) clientWriteRaw(p []byte) error {
	s.uncounted += int64(len(p)) - htxMessageSize(p)
	before := s.sent
	err := s.clientWrite(p)
	if err != nil {
		k := int64(len(p)) - (s.sent - before)
		s.sent += k
		s.fe.stats.bytesOut.Add(k)
	}
	return err
}
