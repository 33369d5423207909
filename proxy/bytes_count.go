package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/http1"
)

// What HAProxy 2.6 counts as bytes in (%U, the bin of `show stat` for the
// frontend, the backend and the server) is, in HTTP mode, likewise the
// HTX size of the request as the H1 parser built it; goha counts the
// bytes it reads as they come and brings the frontend's bin to that
// figure when the transaction ends (settleBytes).
//
// What HAProxy 2.6 counts as bytes out (%B, the bout of `show stat` for
// the frontend, the backend and the server, a tracked entry's bytes_out)
// is one figure per transaction: the HTX size of the response as it
// entered the response channel (htx_count.go). A compressed response
// counts its body before compression, a page the proxy makes counts the
// fields of its HTX message. goha counts the bytes it writes as they go
// (so that `show stat` follows a long download) and brings each counter
// to that figure when the transaction ends (settleBytesOut).

// A page the proxy makes (a built-in error page, an errorfile, an http
// reply) keeps the Connection field its text has, as HAProxy's HTX
// message does, and HAProxy counts it; its H1 output drops that field
// and writes its own connection header (withConnection,
// appendClosingPage), which is not counted.

// pageConnSize is the HTX size (name and value) of page's Connection
// fields that name nothing but close and keep-alive: the ones
// htxMessageSize does not count and HAProxy's H1 output drops.
func pageConnSize(page []byte) int64 {
	var n int64
	eachPageField(page, func(line, name, value []byte) {
		if isHopConnField(name, value) {
			n += int64(len(name) + len(value))
		}
	})
	return n
}

func isHopConnField(name, value []byte) bool {
	return http1.EqualFold(name, "connection") && http1.OnlyHopTokens(value)
}

// eachPageField calls f with each header line of page's head (its line
// end included), its name and its trimmed value.
func eachPageField(page []byte, f func(line, name, value []byte)) {
	head := page
	if i := bytes.Index(page, []byte("\r\n\r\n")); i >= 0 {
		head = page[:i+2]
	}
	i := bytes.IndexByte(head, '\n') // past the status line
	if i < 0 {
		return
	}
	for rest := head[i+1:]; len(rest) > 0; {
		line := rest
		if j := bytes.IndexByte(rest, '\n'); j >= 0 {
			line, rest = rest[:j+1], rest[j+1:]
		} else {
			rest = nil
		}
		name, value, ok := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(":"))
		if ok {
			f(line, name, bytes.Trim(value, " \t"))
		}
	}
}

// appendHeadWithoutConn appends head (a page's status line and header
// lines) to out without its hop-only Connection fields, counting them
// for the log as HAProxy counts its message (they are not sent).
func (s *session) appendHeadWithoutConn(out, head []byte, connSize int64) []byte {
	if connSize == 0 {
		return append(out, head...)
	}
	i := bytes.IndexByte(head, '\n')
	out = append(out, head[:i+1]...)
	eachPageField(head, func(line, name, value []byte) {
		if !isHopConnField(name, value) {
			out = append(out, line...)
		}
	})
	s.uncounted -= connSize
	return out
}

// bytesIn is the transaction's bytes in as HAProxy counts them (bin,
// like %U): an HTTP request's HTX size (htx_count.go) and what the
// client sent through its tunnel; the bytes read otherwise (no request
// parsed).
func (s *session) bytesIn() int64 {
	if s.inHead > 0 {
		return s.inHead + s.inBody + s.tl.tunnelIn
	}
	return s.received
}

// bytesOut is the transaction's bytes out as HAProxy counts them (%B).
func (s *session) bytesOut() int64 {
	if s.tl.sessLog {
		return 0 // HAProxy's H1 layer answered alone: no stream counted it
	}
	return s.sent - s.uncounted
}

// settleBytes brings the transaction's counters to HAProxy's figures
// once it ends: the frontend's bout (its writes added s.sent as they
// went), and the bin and bout of the stream's backend: be, the backend
// whose applet answered, or the frontend's own backend half in a listen
// section (HAProxy's stream has the proxy itself as its backend until a
// backend is chosen). A line of the H1 parser's (no stream) adds nothing
// to a backend, and tcp mode counts its own (tunnel.go).
func (s *session) settleBytes(be *backend) {
	if s.tl.outSettled {
		return
	}
	s.tl.outSettled = true
	if d := s.bytesOut() - s.sent; d != 0 {
		s.fe.stats.bytesOut.Add(d)
	}
	if s.tl.sessLog || s.tcpStream() {
		return
	}
	if d := s.bytesIn() - s.received; d != 0 {
		s.fe.stats.bytesIn.Add(d)
	}
	if be == nil {
		be = s.appletBe // a backend's stats page or cache hit
	}
	if be == nil && s.fe.cfg.Listen {
		be = s.p.backends[s.fe.cfg.Name]
	}
	if be != nil {
		be.stats.bytesIn.Add(s.bytesIn())
		be.stats.bytesOut.Add(s.bytesOut())
	}
}

// addSrvOut counts n bytes written to the client for the server as they
// go (settleSrvOut brings the total to HAProxy's figure).
func (x *exchange) addSrvOut(n int64) {
	x.srv.stats.bytesOut.Add(n)
	x.srvOut += n
}

// settleSrvOut brings the server's bout to the transaction's bytes out,
// error pages and interim responses included: HAProxy counts all of the
// stream's response bytes for the server it targets.
func (x *exchange) settleSrvOut() {
	if x.srv != nil {
		x.srv.stats.bytesOut.Add(x.s.bytesOut() - x.srvOut)
		x.srv.stats.bytesIn.Add(x.s.bytesIn()) // its bin: the request's, as its backend's
	}
}
