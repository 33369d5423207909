package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/fcgi"
	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
	"golang.org/x/net/http2"
)

// FastCGI to servers (server ... proto fcgi, use-fcgi-app): as with
// HTTP/2 (h2_upstream.go), the exchange still speaks HTTP/1.1. Its server
// connection is an fcgiUpstream, which turns the request bytes it writes
// into BEGIN_REQUEST, PARAMS (proxy/fcgi.Params) and STDIN records, and
// the STDOUT records back into an HTTP/1.1 response, as HAProxy 2.6's
// FastCGI mux and fcgi filter do. One request per connection: the
// connection closes with the response (keep-conn only sets the flag the
// application reads).

// FCGIApp is what a backend's fcgi-app gives its FastCGI servers.
type FCGIApp struct {
	App      fcgi.App
	Name     string // the fcgi-app section's
	KeepConn bool
	// LogStderr: the application's STDERR records go to
	// Options.FCGIStderr (log-stderr); else they are dropped.
	LogStderr bool
	// Sets are the set-param rules in configuration order, HAProxy's
	// implicit REMOTE_USER %[http_auth_user] and AUTH_TYPE
	// %[http_auth_type] first; Pass the pass-header ones.
	Sets []FCGISet
	Pass []FCGIPass
}

// FCGISet is a set-param rule: Value is its log-format.
type FCGISet struct {
	Name  string
	Value func(*RequestInfo) string
	Cond  Condition // nil = always
}

// FCGIPass is a pass-header rule, Name in lower case.
type FCGIPass struct {
	Name string
	Cond Condition // nil = always
}

// params evaluates the fcgi-app's rules on the request as HAProxy's fcgi
// filter does once the rules ran (a nil info: none apply): the set-param
// values of the rules whose condition holds, and whether a hidden
// header field (lower case) is passed.
func (a *FCGIApp) params(info *RequestInfo) (sets []fcgi.Param, passed func(string) bool) {
	if info == nil {
		return nil, nil
	}
	var applied []fcgi.Param
	for i := range a.Sets {
		r := &a.Sets[i]
		if r.Cond == nil || r.Cond.Match(info) {
			applied = append(applied, fcgi.Param{Name: r.Name, Value: r.Value(info)})
		}
	}
	var pass []string
	for i := range a.Pass {
		if r := &a.Pass[i]; r.Cond == nil || r.Cond.Match(info) {
			pass = append(pass, r.Name)
		}
	}
	return fcgi.SetParams(applied), func(l string) bool { return slices.Contains(pass, l) }
}

// errFCGI is a request the FastCGI parameters cannot be made for, or a
// response that breaks the protocol.
var errFCGI = errors.New("fcgi: processing error")

// fcgiUpstream is one request on a connection to a FastCGI server.
type fcgiUpstream struct {
	raw *tconn
	app *FCGIApp
	// What prepareUpstream tells of the request's session.
	info     *RequestInfo
	src, dst netip.AddrPort
	https    bool
	stderr   func(app string, msg []byte) // nil: STDERR dropped

	// The request, as the exchange writes it.
	head   []byte
	req    http1.Request
	ws     upState
	remain int64
	dc     chunkDecoder
	body   fcgiBody // a chunked body, gathered whole before PARAMS
	wbuf   []byte

	// The response, as the exchange reads it.
	rd      *bufio.Reader
	rr      *fcgi.Reader
	stdout  []byte // STDOUT bytes not yet given out
	out     []byte
	rs      fcgiReadState
	ended   bool // the STDOUT stream or the request ended
	headReq bool
	// counted is what HAProxy's HTX size of the head (%B) has more than
	// the HTTP/1.1 head made of it: the Status fields, less the date and
	// content-length its fcgi filter adds after counting (fcgiCounted).
	counted int64
	// teAdded: the head got the transfer-encoding field the body's
	// chunks need, which the exchange takes out at once (stripH2TE), as
	// for an HTTP/2 server's.
	teAdded bool
}

type fcgiReadState uint8

const (
	fcgiHead  fcgiReadState = iota
	fcgiRaw                 // the application framed the body (content-length or chunked)
	fcgiChunk               // chunked here
	fcgiDone
)

// newFCGIUpstream puts a request's FastCGI stream over a fresh
// connection.
func newFCGIUpstream(t *tconn, app *FCGIApp) *tconn {
	up := newSrvTconn(nil)
	u := &fcgiUpstream{raw: t, app: app}
	u.rd = bufio.NewReaderSize(fcgiRawReader{t}, 16384)
	u.rr = fcgi.NewReader(u.rd)
	up.h2, up.sni, up.addrGen, up.target, up.hello = u, t.sni, t.addrGen, t.target, t.hello
	return up
}

type fcgiRawReader struct{ c *tconn }

func (r fcgiRawReader) Read(p []byte) (int, error) { return r.c.readRaw(p) }

// fcgiBody gathers a chunked request body (chunkDecoder's sink) until
// begin sent it (sent); the trailers are dropped, as HAProxy's FastCGI
// mux drops them.
type fcgiBody struct {
	b    []byte
	sent bool
}

// fcgiBodyWait bounds the chunked body gathered before PARAMS: HAProxy's
// filter waits for the body within its buffer (tune.bufsize, 16 kB by
// default), then sends what it has; the rest goes as STDIN after. goha
// checks it after each write of the exchange, so PARAMS may count up to
// one write more than 16 kB (HAProxy's count depends on its buffer's
// layout).
const fcgiBodyWait = 16384

// fcgiHeadMax bounds a response head that has not ended: beyond it the
// response is refused (HAProxy's head must fit its buffer too).
const fcgiHeadMax = 65536

// fcgiStdin sends the chunks of a body whose start went with PARAMS.
type fcgiStdin struct{ u *fcgiUpstream }

func (s fcgiStdin) WriteData(p []byte, end bool) error {
	return s.u.send(fcgi.AppendRecords(s.u.wbuf[:0], fcgi.TypeStdin, 1, p))
}
func (s fcgiStdin) WriteTrailers([]h2.Field) error { return nil }
func (s fcgiStdin) Reset(http2.ErrCode)            {}

func (s *fcgiBody) WriteData(p []byte, end bool) error { s.b = append(s.b, p...); return nil }
func (s *fcgiBody) WriteTrailers([]h2.Field) error     { return nil }
func (s *fcgiBody) Reset(http2.ErrCode)                {}

// Write takes the HTTP/1.1 request bytes of the exchange.
func (u *fcgiUpstream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		switch u.ws {
		case upHead:
			u.head = append(u.head, p...)
			p = nil
			err := u.req.Parse(u.head)
			if err == http1.ErrIncomplete {
				return n, nil
			}
			if err != nil {
				return 0, errBridge
			}
			p = u.head[u.req.HeadLen:]
			u.headReq = string(u.req.Method) == "HEAD"
			if u.req.ExpectContinue && (u.req.Chunked || u.req.ContentLength > 0) {
				// HAProxy's filter waits for the body: it answers the
				// client's Expect itself, even when the body came with
				// the head (measured), and does not pass the field on.
				u.out = append(u.out[:0], "HTTP/1.1 100 Continue\r\n\r\n"...)
			}
			switch {
			case u.req.Chunked:
				u.ws = upChunked
			case u.req.ContentLength > 0:
				u.ws, u.remain = upLength, u.req.ContentLength
				if err := u.begin(0); err != nil {
					return 0, err
				}
			default:
				u.ws = upDone
				if err := u.begin(0); err != nil {
					return 0, err
				}
			}
		case upLength:
			k := min(int64(len(p)), u.remain)
			u.remain -= k
			u.wbuf = fcgi.AppendRecords(u.wbuf[:0], fcgi.TypeStdin, 1, p[:k])
			if u.remain == 0 {
				u.wbuf = fcgi.AppendHeader(u.wbuf, fcgi.TypeStdin, 1, 0)
				u.ws = upDone
			}
			if err := u.send(u.wbuf); err != nil {
				return 0, err
			}
			p = p[k:]
		case upChunked:
			var sink h2Sink = &u.body
			if u.body.sent {
				sink = fcgiStdin{u}
			}
			k, err := u.dc.feed(p, sink)
			if err != nil {
				return 0, err
			}
			p = p[k:]
			switch {
			case u.dc.done && u.body.sent:
				u.ws = upDone
				if err := u.send(fcgi.AppendHeader(u.wbuf[:0], fcgi.TypeStdin, 1, 0)); err != nil {
					return 0, err
				}
			case u.dc.done, len(u.body.b) >= fcgiBodyWait:
				// The whole body, or as much as HAProxy's buffer waits
				// for: its size is CONTENT_LENGTH, the rest follows.
				if u.dc.done {
					u.ws = upDone
				}
				if err := u.begin(int64(len(u.body.b))); err != nil {
					return 0, err
				}
				u.body.sent, u.body.b = true, nil
			}
		case upDone:
			return n, nil
		}
	}
	return n, nil
}

// begin sends BEGIN_REQUEST and the PARAMS, with the whole body and the
// end of STDIN when it is known (bodyLen: a chunked body's size).
func (u *fcgiUpstream) begin(bodyLen int64) error {
	r := &u.req
	fr := fcgi.Request{Method: string(r.Method), URI: string(r.Target), Version: string(r.Version), BodyLen: bodyLen,
		HTTPS: u.https, DstAddr: u.dst.Addr().String(), DstPort: int(u.dst.Port()), SrcAddr: u.src.Addr().String(), SrcPort: int(u.src.Port())}
	var passed func(string) bool
	fr.Sets, passed = u.app.params(u.info)
	for _, h := range r.Headers {
		if r.ExpectContinue && http1.EqualFold(h.Name, "expect") {
			continue // HAProxy removes it once it handled it
		}
		if !fcgi.Hidden(string(h.Name), passed) {
			fr.Headers = append(fr.Headers, fcgi.Param{Name: strings.ToLower(string(h.Name)), Value: string(h.Value)})
		}
	}
	params, err := fcgi.Params(&u.app.App, &fr)
	if err != nil {
		return errFCGI
	}
	var enc []byte
	for _, p := range params {
		enc = fcgi.AppendParam(enc, p.Name, p.Value)
	}
	out := fcgi.AppendBeginRequest(u.wbuf[:0], 1, u.app.KeepConn)
	out = fcgi.AppendRecords(out, fcgi.TypeParams, 1, enc)
	out = fcgi.AppendHeader(out, fcgi.TypeParams, 1, 0)
	out = fcgi.AppendRecords(out, fcgi.TypeStdin, 1, u.body.b)
	if u.ws == upDone {
		out = fcgi.AppendHeader(out, fcgi.TypeStdin, 1, 0)
	}
	u.wbuf = out
	return u.send(out)
}

// send writes b on the connection, under the deadline the exchange set
// through SetWriteDeadline.
func (u *fcgiUpstream) send(b []byte) error {
	var err error
	if u.raw.tls != nil {
		_, err = u.raw.tls.Write(b)
	} else {
		_, err = u.raw.io.write(u.raw.TCPConn, b)
	}
	return err
}

// Read gives the response as HTTP/1.1 bytes.
func (u *fcgiUpstream) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.rs == fcgiDone {
			return 0, io.EOF
		}
		if u.ws != upDone && u.rs == fcgiHead && len(u.wbuf) == 0 {
			return 0, io.ErrUnexpectedEOF // nothing was sent
		}
		if err := u.record(); err != nil {
			return 0, err
		}
		if err := u.produce(); err != nil {
			return 0, err
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// record reads one record of the request's stream: STDOUT data, the end
// of STDOUT, END_REQUEST, or STDERR data, logged under log-stderr as
// HAProxy logs each record (one line, its trailing newlines off); the
// other records are dropped.
func (u *fcgiUpstream) record() error {
	h, c, err := u.rr.Next()
	if err != nil {
		if err == io.EOF && u.rs != fcgiHead {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if h.ID != 1 {
		return nil
	}
	switch h.Type {
	case fcgi.TypeStdout:
		u.stdout = append(u.stdout, c...)
		if len(c) == 0 {
			u.ended = true
			u.trailingStderr()
		}
	case fcgi.TypeEndRequest:
		u.ended = true
	case fcgi.TypeStderr:
		u.logStderr(c)
	}
	return nil
}

func (u *fcgiUpstream) logStderr(c []byte) {
	if len(c) > 0 && u.stderr != nil {
		u.stderr(u.app.Name, bytes.TrimRight(c, "\n\x00"))
	}
}

// trailingStderr logs the STDERR records that came behind the end of
// STDOUT, before END_REQUEST, as HAProxy's mux reads on to END_REQUEST:
// those already buffered only, so that the response never waits for
// them.
func (u *fcgiUpstream) trailingStderr() {
	for u.stderr != nil && u.fullRecordBuffered() {
		h, c, err := u.rr.Next()
		if err != nil || h.ID == 1 && h.Type == fcgi.TypeEndRequest {
			return
		}
		if h.ID == 1 && h.Type == fcgi.TypeStderr {
			u.logStderr(c)
		}
	}
}

// produce turns what came of STDOUT into output: the head once whole,
// then the body as the head framed it.
func (u *fcgiUpstream) produce() error {
	switch u.rs {
	case fcgiHead:
		head, n, err := fcgi.ParseHead(u.stdout)
		if err == fcgi.ErrIncomplete && !u.ended && len(u.stdout) < fcgiHeadMax {
			return nil
		}
		if err != nil {
			u.rs = fcgiDone
			return errFCGI // the exchange answers it as a bad response
		}
		u.stdout = u.stdout[n:]
		// A response whose end came with its head gets a content-length,
		// as HAProxy's fcgi filter adds one when the message is whole.
		for !u.ended && u.fullRecordBuffered() {
			if u.record() != nil {
				break
			}
		}
		u.out = u.appendHead(u.out[:0], &head)
	case fcgiRaw:
		u.out = append(u.out[:0], u.stdout...)
		u.stdout = u.stdout[:0]
		if u.ended {
			u.rs = fcgiDone
		}
	case fcgiChunk:
		u.out = u.out[:0]
		if len(u.stdout) > 0 {
			u.out = http1.AppendChunk(u.out, u.stdout)
			u.stdout = u.stdout[:0]
		}
		if u.ended {
			u.out = append(u.out, lastChunk...)
			u.rs = fcgiDone
		}
	}
	return nil
}

// fullRecordBuffered: a whole record already came behind the ones read.
func (u *fcgiUpstream) fullRecordBuffered() bool {
	n := u.rd.Buffered()
	if n < fcgi.HeaderLen {
		return false
	}
	b, _ := u.rd.Peek(fcgi.HeaderLen)
	h, err := fcgi.DecodeHeader(b)
	return err == nil && n >= fcgi.HeaderLen+int(h.Len)+int(h.Padding)
}

// appendHead writes the CGI head as an HTTP/1.x one: the status line
// (the request's version), the fields, a date when none came, and the
// body's framing.
func (u *fcgiUpstream) appendHead(out []byte, h *fcgi.Head) []byte {
	ver := "HTTP/1.1"
	if u.req.Minor == 0 {
		ver = "HTTP/1.0"
	}
	reason := h.Reason
	if reason == "" {
		reason = Reason(h.Status)
	}
	out = append(out, ver...)
	out = append(out, ' ')
	out = strconv.AppendInt(out, int64(h.Status), 10)
	out = append(out, ' ')
	out = append(out, reason...)
	out = append(out, "\r\n"...)
	date := false
	for _, f := range h.Fields {
		date = date || strings.EqualFold(f.Name, "date")
		out = append(append(append(append(out, f.Name...), ": "...), f.Value...), "\r\n"...)
	}
	u.counted = int64(h.StatusSize)
	if !date {
		n := len(out)
		out = append(out, "date: "...)
		out = time.Now().UTC().AppendFormat(out, "Mon, 02 Jan 2006 15:04:05 GMT")
		u.counted -= int64(len(out) - n - 2)
		out = append(out, "\r\n"...)
	}
	// A whole message gets its length; else its body is chunked to the
	// end of STDOUT, HAProxy's HTX message having no length either.
	bodyless := u.headReq || h.Status < 200 || h.Status == 204 || h.Status == 304
	u.rs = fcgiRaw
	switch {
	case h.Length || h.Chunked:
	case u.ended:
		n := len(out)
		out = append(out, "content-length: "...)
		out = strconv.AppendInt(out, int64(len(u.stdout)), 10)
		u.counted -= int64(len(out) - n - 2)
		out = append(out, "\r\n"...)
	case !bodyless:
		out = append(out, "transfer-encoding: chunked\r\n"...)
		u.rs, u.teAdded = fcgiChunk, true
	}
	out = append(out, "\r\n"...)
	switch {
	case u.rs == fcgiRaw:
		out = append(out, u.stdout...)
		if u.ended {
			u.rs = fcgiDone
		}
	case len(u.stdout) > 0: // what came with the head goes with it
		out = http1.AppendChunk(out, u.stdout)
	}
	u.stdout = u.stdout[:0]
	return out
}

func (u *fcgiUpstream) SetReadDeadline(t time.Time) error  { return u.raw.TCPConn.SetReadDeadline(t) }
func (u *fcgiUpstream) SetWriteDeadline(t time.Time) error { return u.raw.TCPConn.SetWriteDeadline(t) }
func (u *fcgiUpstream) CloseWrite() error                  { return nil }
func (u *fcgiUpstream) Close() error                       { return u.raw.Close() }

// prepare takes from the request's session what the parameters need
// and the HTTP/1.1 head does not carry: the client connection's
// addresses (set-src/set-dst's, as HAProxy's) and TLS.
func (u *fcgiUpstream) prepare(s *session) {
	u.info, u.src, u.dst, u.https = &s.info, s.src, s.dst, s.tlsState != nil
	if u.app.LogStderr {
		u.stderr = s.p.opt.FCGIStderr
	}
}

// fcgiCounted is what HAProxy counts of a FastCGI response head beyond
// the HTTP/1.1 head the exchange read (0 for other servers).
func (x *exchange) fcgiCounted() int64 {
	if u, ok := x.sc.h2.(*fcgiUpstream); ok {
		return u.counted
	}
	return 0
}
