package check

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/h2"
)

// Header is one request header of an HTTP check.
type Header struct{ Name, Value string }

// ProbeRequest is the request an HTTP check sends: HAProxy's `option httpchk` and
// `http-check send` settings. Method, URI and Version are all set
// (proxy/haproxycfg fills HAProxy's "OPTIONS / HTTP/1.0" from parser/haproxy's
// defaults table); NewRunner refuses a request without them.
type ProbeRequest struct {
	Method, URI, Version string
	Headers              []Header
	Body                 string
	// Case maps a lower-case header name to the case it is sent in
	// (h1-case-adjust under option h1-case-adjust-bogus-server; nil: lower
	// case). HTTP/2 checks do not use it.
	Case map[string]string
	dyn  *httpDyn // variables and log-format parts (http_vars.go)
}

// OptionHTTPChk is the request of `option httpchk [<method>] [<uri>]
// [<version>]`, the defaults already filled by the caller. The version may carry extra
// header lines after "\r\n", the old way of sending a Host header; both
// real CRLFs and the escaped form are understood.
func OptionHTTPChk(method, uri, version string) ProbeRequest {
	r := ProbeRequest{Method: method, URI: uri, Version: version}
	v := strings.ReplaceAll(r.Version, `\r\n`, "\r\n")
	if first, rest, ok := strings.Cut(v, "\r\n"); ok {
		r.Version = first
		for _, l := range strings.Split(rest, "\r\n") {
			if name, val, ok := strings.Cut(l, ":"); ok && name != "" {
				r.Headers = append(r.Headers, Header{Name: name, Value: strings.TrimLeft(val, " \t")})
			}
		}
	}
	return r
}

// ApplySend applies an `http-check send` step: the parts it gives replace
// those of the request, its headers are added. An error names a
// log-format part goha cannot build (the other parts still apply).
func (r *ProbeRequest) ApplySend(s haproxy.CheckSend) error {
	err := r.applySendFormats(s, len(r.Headers))
	if s.Method != "" {
		r.Method = s.Method
	}
	if s.URI != "" {
		r.URI = s.URI
	}
	if s.Version != "" {
		r.Version = s.Version
	}
	for _, h := range s.Headers {
		r.Headers = append(r.Headers, Header{Name: h.Name, Value: h.Value})
	}
	if s.Body != "" {
		r.Body = s.Body
	}
	return err
}

// validate refuses a request line with an empty part.
func (r ProbeRequest) validate() error {
	if r.Method == "" || r.URI == "" || r.Version == "" {
		return fmt.Errorf("HTTP check request %q %q %q: method, uri and version must be set", r.Method, r.URI, r.Version)
	}
	return nil
}

// Bytes is the request as HAProxy 2.6 puts it on the wire: header names in
// lower case, a content-length with a body, and "connection: close" for
// HTTP/1.1 (1.0 closes anyway).
func (r ProbeRequest) Bytes() []byte {
	method, uri, ver := r.Method, r.URI, r.Version
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\n", method, uri, ver)
	hasConn := false
	name := func(n string) string {
		if to, ok := r.Case[n]; ok {
			return to
		}
		return n
	}
	for _, h := range r.Headers {
		lower := strings.ToLower(h.Name)
		hasConn = hasConn || lower == "connection"
		fmt.Fprintf(&b, "%s: %s\r\n", name(lower), h.Value)
	}
	if r.Body != "" {
		fmt.Fprintf(&b, "%s: %d\r\n", name("content-length"), len(r.Body))
	}
	if ver == "HTTP/1.1" && !hasConn {
		b.WriteString(name("connection") + ": close\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(r.Body)
	return []byte(b.String())
}

// ExpectKind is what an `http-check expect` rule tests.
type ExpectKind int

const (
	ExpectStatus  ExpectKind = iota // status <codes>: list of codes and ranges
	ExpectRStatus                   // rstatus <regex> on the status code
	ExpectString                    // string <text> contained in the body
	ExpectRString                   // rstring <regex> on the body
)

// Expect is one `http-check expect [!] <kind> <pattern>` rule.
type Expect struct {
	Kind    ExpectKind
	Negate  bool
	Pattern string
	// Comment is the rule's comment (its own, or an `http-check comment`
	// line before it): a failure's info ends with " comment: <text>".
	Comment string
	codes   [][2]int
	re      *regexp.Regexp
	opts    expectOpts // ok-status, error-status, on-success, on-error (http_expect_opts.go)
}

// NewExpect compiles an `http-check expect` step the parser typed.
func NewExpect(e haproxy.CheckExpect) (Expect, error) {
	out := Expect{Negate: e.Negate, Pattern: e.Pattern}
	if err := out.setOptions(e); err != nil {
		return out, err
	}
	switch e.Match {
	case haproxy.CheckMatchStatus:
		out.Kind, out.codes = ExpectStatus, e.Codes
	case haproxy.CheckMatchRStatus, haproxy.CheckMatchRString:
		kw, kind := "rstatus", ExpectRStatus
		if e.Match == haproxy.CheckMatchRString {
			kw, kind = "rstring", ExpectRString
		}
		re, err := compileRE(e.Pattern) // PCRE's semantics or refused
		if err != nil {
			return out, fmt.Errorf("http-check expect %s: %v", kw, err)
		}
		out.Kind, out.re = kind, re
	case haproxy.CheckMatchString:
		out.Kind = ExpectString
	default:
		return out, fmt.Errorf("http-check expect: match %d not supported", e.Match)
	}
	return out, nil
}

func (e Expect) commentText() string {
	if e.Comment == "" {
		return ""
	}
	return " comment: " + e.Comment
}

func (e Expect) onBody() bool { return e.Kind == ExpectString || e.Kind == ExpectRString }

// match reports whether the rule (before negation) matches.
func (e Expect) match(code int, body []byte) bool {
	switch e.Kind {
	case ExpectStatus:
		for _, c := range e.codes {
			if code >= c[0] && code <= c[1] {
				return true
			}
		}
		return false
	case ExpectRStatus:
		return e.re.MatchString(strconv.Itoa(code))
	case ExpectString:
		return strings.Contains(string(body), e.Pattern)
	default:
		return e.re.Match(body)
	}
}

// maxCheckBody is how much of a response body content rules look at
// (HAProxy's check buffer, tune.bufsize).
const maxCheckBody = 16384

// HTTPProbe is `option httpchk`: send Request, read the response, apply
// Expects in order (none: 2xx and 3xx pass).
type HTTPProbe struct {
	Request ProbeRequest
	Expects []Expect
	// Connect is an `http-check connect` rule's destination, if any.
	Connect Connect
	// DisableOn404 is `http-check disable-on-404`: a 404 is a conditional
	// pass (L7OKC) that makes an UP server drain; the Runner turns it into
	// a failure for a server that is DOWN.
	DisableOn404 bool
	Dial         func(ctx context.Context, network, addr string) (net.Conn, error)
	// ClearDial dials a Connect.Clear connect: the server's source, no
	// TLS nor PROXY header (nil: net.Dialer).
	ClearDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// H2 speaks HTTP/2 with prior knowledge (the server's `proto h2`);
	// over TLS, h2 chosen by ALPN speaks it too (http2.go), with
	// H2Settings (zero: HAProxy's defaults).
	H2         bool
	H2Settings h2.Settings
}

// Connect is an explicit `connect` rule (http-check or tcp-check): its
// destination overrides the server's check address and port, and its own
// options make its connection (check.NewConnect).
type Connect struct {
	Port int
	Addr string
	// Clear: an explicit connect without `default`, which HAProxy 2.6
	// makes in clear text without the server line's check-ssl,
	// check-send-proxy, check-alpn, check-sni and check-proto: the probe
	// dials it with ClearDial.
	Clear bool
	// The rule's own options: TLS (SNI and ALPN offered), a PROXY header,
	// the server's SOCKS4 proxy, a FIN instead of HAProxy's RST on
	// close, the mux protocol ("h1", "h2", "none"; "": the default).
	SSL, SendProxy, Socks4, Linger bool
	SNI                            string
	ALPN                           []string
	Proto                          string
	// Dial, when set, dials this rule's connection with its options (the
	// runtime builds it: internal/haproxycmd run_checkconnect.go).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewConnect is the parser's connect rule in the probes' terms (its ALPN
// list is checked by the parser; empty names are dropped).
func NewConnect(c haproxy.CheckConnect) Connect {
	r := Connect{Port: c.Port, Addr: c.Addr, Clear: !c.Default, SSL: c.SSL, SendProxy: c.SendProxy,
		Socks4: c.Socks4, Linger: c.Linger, SNI: c.SNI, Proto: c.Proto}
	for _, p := range strings.Split(c.ALPN, ",") {
		if p != "" {
			r.ALPN = append(r.ALPN, p)
		}
	}
	return r
}

// Own: the rule has options of its own, which its Dial must honour.
func (c Connect) Own() bool {
	return c.SSL || c.SendProxy || c.Socks4 || c.Linger || c.SNI != "" || c.ALPN != nil
}

// dialer is the dialer of a connection made by this rule.
func (c Connect) dialer(dial, clearDial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	switch {
	case c.Dial != nil:
		return c.Dial
	case c.Clear:
		return clearDial
	}
	return dial
}

func (p HTTPProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	if p.Connect.Port != 0 || p.Connect.Addr != "" {
		addr = CheckAddr(addr, p.Connect.Addr, p.Connect.Port)
	}
	start := time.Now()
	c, res, ok := dial(ctx, p.Connect.dialer(p.Dial, p.ClearDial), addr, t, start)
	if !ok {
		return res
	}
	defer c.Close()
	// Runner.Stop cancels ctx: cut a check blocked in a read at once
	// instead of waiting for its timeout.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	deadline := start.Add(t.Total)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	p.Request = p.Request.built(c).withStateHeader(serverState(ctx)) // set-var, log-format; send-state
	r := p.exchange(c)
	r.Duration = time.Since(start)
	return r
}

func (p HTTPProbe) exchange(c net.Conn) Result {
	if p.speaksH2(c) {
		return p.exchangeH2(c)
	}
	if _, err := c.Write(p.Request.Bytes()); err != nil {
		return ioResult(err)
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, &http.Request{Method: p.Request.Method})
	if err != nil {
		return ioResult(err)
	}
	defer resp.Body.Close()
	_, phrase, _ := strings.Cut(resp.Status, " ")
	return p.judge(resp.StatusCode, phrase, resp.Body)
}

// judge applies the expect rules to a response's status, reason and body.
func (p HTTPProbe) judge(code int, phrase string, bodyReader io.Reader) Result {
	var body []byte
	var err error
	for _, e := range p.Expects {
		if e.onBody() {
			body, err = io.ReadAll(io.LimitReader(bodyReader, maxCheckBody))
			if err != nil && isTimeout(err) {
				return Result{Status: L7TOUT}
			}
			break
		}
	}
	if p.DisableOn404 && code == 404 {
		return Result{Status: L7OKC, Code: code, Info: phrase, on404: true}
	}
	if len(p.Expects) == 0 {
		if code >= 200 && code < 400 {
			return Result{Status: L7OK, Code: code, Info: phrase}
		}
		return Result{Status: L7STS, Code: code, Info: phrase}
	}
	for _, e := range p.Expects {
		if e.match(code, body) != e.Negate {
			continue
		}
		if e.onBody() {
			info := "HTTP content check did not match"
			if e.Negate {
				info = "HTTP check matched unwanted content"
			}
			return e.failure(code, L7RSP, info)
		}
		return e.failure(code, L7STS, phrase)
	}
	return p.Expects[len(p.Expects)-1].success(code, phrase)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// ioResult classifies an error after the connection was established.
func ioResult(err error) Result {
	if isTimeout(err) {
		return Result{Status: L7TOUT}
	}
	if info := errInfo(err); info != "" && !errors.Is(err, io.EOF) {
		return Result{Status: L7RSP, Info: info}
	}
	return Result{Status: L7RSP}
}
