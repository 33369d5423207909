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
)

// Header is one request header of an HTTP check.
type Header struct{ Name, Value string }

// ProbeRequest is the request an HTTP check sends: HAProxy's `option httpchk` and
// `http-check send` settings. The zero value sends HAProxy's default,
// "OPTIONS / HTTP/1.0".
type ProbeRequest struct {
	Method, URI, Version string
	Headers              []Header
	Body                 string
}

// OptionHTTPChk reads the arguments of `option httpchk [<method>] [<uri>]
// [<version>]` (one argument is a URI). The version may carry extra header
// lines after "\r\n", the old way of sending a Host header; both real CRLFs
// and the escaped form are understood.
func OptionHTTPChk(args []string) ProbeRequest {
	var r ProbeRequest
	switch len(args) {
	case 0:
	case 1:
		r.URI = args[0]
	case 2:
		r.Method, r.URI = args[0], args[1]
	default:
		r.Method, r.URI, r.Version = args[0], args[1], args[2]
	}
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

// ApplySend applies the words after `http-check send` ("meth GET uri /h
// ver HTTP/1.1 hdr Host example.com body x").
func (r *ProbeRequest) ApplySend(words []string) error {
	for i := 0; i < len(words); i++ {
		kw := words[i]
		need := 1
		if kw == "hdr" {
			need = 2
		}
		if i+need >= len(words) {
			return fmt.Errorf("http-check send: '%s' expects %d argument(s)", kw, need)
		}
		switch kw {
		case "meth":
			r.Method = words[i+1]
		case "uri":
			r.URI = words[i+1]
		case "ver":
			r.Version = words[i+1]
		case "hdr":
			r.Headers = append(r.Headers, Header{Name: words[i+1], Value: words[i+2]})
		case "body":
			r.Body = words[i+1]
		case "comment":
		default:
			return fmt.Errorf("http-check send: '%s' not supported", kw)
		}
		i += need
	}
	return nil
}

// Bytes is the request as HAProxy 2.6 puts it on the wire: header names in
// lower case, a content-length with a body, and "connection: close" for
// HTTP/1.1 (1.0 closes anyway).
func (r ProbeRequest) Bytes() []byte {
	method, uri, ver := r.Method, r.URI, r.Version
	if method == "" {
		method = "OPTIONS"
	}
	if uri == "" {
		uri = "/"
	}
	if ver == "" {
		ver = "HTTP/1.0"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\n", method, uri, ver)
	hasConn := false
	for _, h := range r.Headers {
		name := strings.ToLower(h.Name)
		hasConn = hasConn || name == "connection"
		fmt.Fprintf(&b, "%s: %s\r\n", name, h.Value)
	}
	if r.Body != "" {
		fmt.Fprintf(&b, "content-length: %d\r\n", len(r.Body))
	}
	if ver == "HTTP/1.1" && !hasConn {
		b.WriteString("connection: close\r\n")
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
	codes   [][2]int
	re      *regexp.Regexp
}

// ParseExpect reads the words after `http-check expect`.
func ParseExpect(words []string) (Expect, error) {
	var e Expect
	if len(words) > 0 && words[0] == "!" {
		e.Negate, words = true, words[1:]
	}
	// options that only shape reporting in 2.6 come before the pattern
	for len(words) > 2 && (words[0] == "comment" || words[0] == "min-recv" || words[0] == "ok-status" ||
		words[0] == "error-status" || words[0] == "tout-status" || words[0] == "on-success" || words[0] == "on-error" || words[0] == "status-code") {
		words = words[2:]
	}
	if len(words) > 0 && words[0] == "!" {
		e.Negate, words = true, words[1:]
	}
	if len(words) < 2 {
		return e, errors.New("http-check expect: expects a match type and a pattern")
	}
	e.Pattern = words[1]
	switch words[0] {
	case "status":
		e.Kind = ExpectStatus
		for _, part := range strings.Split(e.Pattern, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, err1 := strconv.Atoi(lo)
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || b < a {
				return e, fmt.Errorf("http-check expect status: invalid status code range '%s'", part)
			}
			e.codes = append(e.codes, [2]int{a, b})
		}
	case "rstatus", "rstring":
		re, err := compileRE(e.Pattern) // PCRE's semantics or refused
		if err != nil {
			return e, fmt.Errorf("http-check expect %s: %v", words[0], err)
		}
		e.re = re
		e.Kind = ExpectRStatus
		if words[0] == "rstring" {
			e.Kind = ExpectRString
		}
	case "string":
		e.Kind = ExpectString
	default:
		return e, fmt.Errorf("http-check expect: '%s' not supported", words[0])
	}
	return e, nil
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
}

// Connect is the destination part of `http-check connect [port N] [addr
// A]`: it overrides the server's check address and port.
type Connect struct {
	Port int
	Addr string
}

// ParseConnect reads the words after `http-check connect`. Only port (a
// number), addr, linger, default and comment are understood; TLS, PROXY
// protocol and socks options are refused so the caller reports them.
func ParseConnect(words []string) (Connect, error) {
	var c Connect
	for i := 0; i < len(words); i++ {
		switch kw := words[i]; kw {
		case "default", "linger":
		case "port", "addr", "comment":
			if i+1 >= len(words) {
				return c, fmt.Errorf("http-check connect: '%s' expects an argument", kw)
			}
			v := words[i+1]
			i++
			switch kw {
			case "port":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 65535 {
					return c, fmt.Errorf("http-check connect: port '%s' not supported (a number is)", v)
				}
				c.Port = n
			case "addr":
				c.Addr = v
			}
		default:
			return c, fmt.Errorf("http-check connect: '%s' not supported", kw)
		}
	}
	return c, nil
}

func (p HTTPProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	if p.Connect != (Connect{}) {
		addr = CheckAddr(addr, p.Connect.Addr, p.Connect.Port)
	}
	start := time.Now()
	c, res, ok := dial(ctx, p.Dial, addr, t, start)
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
	r := p.exchange(c)
	r.Duration = time.Since(start)
	return r
}

func (p HTTPProbe) exchange(c net.Conn) Result {
	if _, err := c.Write(p.Request.Bytes()); err != nil {
		return ioResult(err)
	}
	br := bufio.NewReaderSize(c, 4096)
	method := p.Request.Method
	if method == "" {
		method = "OPTIONS"
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return ioResult(err)
	}
	defer resp.Body.Close()
	_, phrase, _ := strings.Cut(resp.Status, " ")
	code := resp.StatusCode
	var body []byte
	for _, e := range p.Expects {
		if e.onBody() {
			body, err = io.ReadAll(io.LimitReader(resp.Body, maxCheckBody))
			if err != nil && isTimeout(err) {
				return Result{Status: L7TOUT}
			}
			break
		}
	}
	if p.DisableOn404 && code == 404 {
		return Result{Status: L7OKC, Code: code, Info: phrase}
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
			return Result{Status: L7RSP, Code: code, Info: info}
		}
		return Result{Status: L7STS, Code: code, Info: phrase}
	}
	return Result{Status: L7OK, Code: code, Info: phrase}
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
