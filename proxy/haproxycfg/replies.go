package haproxycfg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// errUnsupported marks a rule form goha does not implement; its message is
// the notice's subject.
type errUnsupported string

func (e errUnsupported) Error() string { return string(e) }

// terminalRule maps http-request deny, allow, return and redirect, as
// HAProxy 2.6 builds their responses. A form goha lacks (log-format
// payloads and headers, errorfiles sections, dynamic redirect targets) is
// an errUnsupported.
// In http-response rules (kw), deny answers 502 by default, and only
// redirect location exists (the parser refuses the others).
func (b *builder) terminalRule(r haproxy.HTTPRule, kw string, ps *pageSet) (proxy.HeaderRule, error) {
	switch r.Action {
	case "allow":
		if len(r.Args) != 0 {
			return proxy.HeaderRule{}, errUnsupported(kw + " allow " + strings.Join(r.Args, " "))
		}
		return proxy.HeaderRule{Action: proxy.Allow}, nil
	case "deny":
		if kw == "http-response" {
			return b.denyRule(r.Args, ps, kw, proxy.Deny, 502)
		}
		return b.denyRule(r.Args, ps, kw, proxy.Deny, 403)
	case "tarpit":
		return b.denyRule(r.Args, ps, kw, proxy.Tarpit, 500)
	case "return":
		hr, err := b.replyRule(r.Args, 200, kw+" return", ps)
		hr.Action = proxy.Return
		return hr, err
	case "redirect":
		rd, err := redirectRule(r.Args)
		if err != nil {
			return proxy.HeaderRule{}, err
		}
		if msg := replyFormatPlace(kw, r.Args[1]); rd.TargetFormat != nil && msg != "" {
			return proxy.HeaderRule{}, errUnsupported(kw + " redirect: " + msg)
		}
		return proxy.HeaderRule{Action: proxy.Redirect, Redirect: rd}, nil
	}
	return proxy.HeaderRule{}, errUnsupported(kw + " " + r.Action)
}

// denyRule: `deny` alone or with `deny_status <code>` alone sends the
// proxy's error page for the code (403 by default); any other reply
// argument makes an http reply built from the arguments.
// tarpit takes the same arguments, with 500 for default.
func (b *builder) denyRule(args []string, ps *pageSet, kw string, action proxy.RuleAction, status int) (proxy.HeaderRule, error) {
	kw += " deny"
	if action == proxy.Tarpit {
		kw = "http-request tarpit"
	}
	hr := proxy.HeaderRule{Action: action, Status: status}
	switch {
	case len(args) == 0:
		return hr, nil
	case len(args) == 2 && args[0] == "deny_status":
		code, err := strconv.Atoi(args[1])
		if err != nil {
			return hr, errUnsupported(kw + " deny_status " + args[1])
		}
		page, closes, ok := pageFor(ps, code)
		if !ok {
			return hr, errUnsupported(kw + " deny_status " + args[1])
		}
		hr.Status = code
		if closes {
			hr.Reply, hr.Close = page, true
		}
		return hr, nil // else the proxy's page, answerRule's (ErrorPageCloses)
	}
	if args[0] == "deny_status" {
		args = append([]string{"status"}, args[1:]...)
	}
	out, err := b.replyRule(args, status, kw, ps)
	out.Action = action
	return out, err
}

// replyRule builds an http reply (return, deny with arguments, http-error):
// status, content-type, hdr, and one payload among string, file,
// errorfile, errorfiles <name> and default-errorfiles (pages are the
// proxy's own error pages).
func (b *builder) replyRule(args []string, status int, kw string, ps *pageSet) (proxy.HeaderRule, error) {
	var (
		ctype   string
		hdrs    []proxy.ReplyHeader
		body    []byte
		payload string
		raw     []byte // errorfile: the whole response
		closes  bool   // raw ends the connection
	)
	unsupported := func() (proxy.HeaderRule, error) {
		return proxy.HeaderRule{}, errUnsupported(kw + " " + strings.Join(args, " "))
	}
	var fromPages bool     // default-errorfiles
	var sectionName string // errorfiles <name>
	var (
		dynamic bool // a log-format payload or header value
		dynHdrs []proxy.DynamicHeader
		bodyFmt func(*proxy.RequestInfo) string
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "default-errorfiles" {
			if payload != "" {
				return unsupported()
			}
			payload, fromPages = a, true
			continue
		}
		if i+1 >= len(args) {
			return unsupported()
		}
		v := args[i+1]
		i++
		switch a {
		case "status":
			n, err := strconv.Atoi(v)
			if err != nil || n < 200 || n > 599 {
				return unsupported()
			}
			status = n
		case "content-type":
			ctype = v
		case "hdr":
			if i+1 >= len(args) {
				return unsupported()
			}
			i++
			switch strings.ToLower(v) {
			case "content-length", "transfer-encoding", "content-type":
				continue // HAProxy ignores them (with a warning)
			}
			dh := proxy.DynamicHeader{Name: v, Value: args[i]}
			if strings.Contains(args[i], "%") {
				f, err := acl.CompileFormat(args[i])
				if msg := responseReplyHdr(kw, args[i]); err == nil && msg != "" {
					err = errors.New(msg)
				}
				if err != nil {
					return proxy.HeaderRule{}, errUnsupported(kw + " hdr " + v + " " + args[i] + ": " + err.Error())
				}
				dh.Format, dynamic = f, true
			}
			if args[i] != "" { // HAProxy adds no header with an empty value
				hdrs = append(hdrs, proxy.ReplyHeader{Name: v, Value: args[i]})
			}
			// A "Connection: close" of the reply's message makes HAProxy's
			// H1 output close after it (measured); the field itself is
			// the message's, replaced on the wire by the output's own.
			closes = closes || (strings.EqualFold(v, "connection") && hasCloseToken(args[i]))
			dynHdrs = append(dynHdrs, dh)
		case "lf-string", "lf-file":
			if payload != "" {
				return unsupported()
			}
			payload = a
			text := v
			if a == "lf-file" {
				b, err := os.ReadFile(v)
				if err != nil {
					return unsupported()
				}
				text = string(b)
			}
			f, err := acl.CompileFormat(text)
			if msg := replyFormatPlace(kw, text); err == nil && msg != "" {
				err = errors.New(msg)
			}
			if err != nil {
				return proxy.HeaderRule{}, errUnsupported(kw + " " + a + ": " + err.Error())
			}
			bodyFmt, dynamic = f, true
		case "errorfiles":
			if payload != "" {
				return unsupported()
			}
			payload, sectionName = a, v
		case "string", "file", "errorfile":
			if payload != "" {
				return unsupported()
			}
			payload = a
			switch a {
			case "string":
				body = []byte(v)
			case "file":
				b, err := os.ReadFile(v)
				if err != nil {
					return unsupported()
				}
				body = b
			case "errorfile":
				b, err := os.ReadFile(v)
				if err != nil {
					return unsupported()
				}
				if raw, closes, err = normalizeErrorFile(b); err != nil {
					return proxy.HeaderRule{}, errUnsupported(kw + " errorfile " + v + ": " + err.Error())
				}
			}
		default:
			return unsupported()
		}
	}
	if sectionName != "" {
		page, c, ok, err := b.sectionPage(sectionName, status)
		if err != nil {
			return proxy.HeaderRule{}, errUnsupported(kw + " errorfiles " + sectionName + ": " + err.Error())
		}
		if ok {
			raw, closes = page, c
		} // else an empty reply (measured: HAProxy 2.6 does not fall back)
	}
	if fromPages {
		page, c, ok := pageFor(ps, status)
		if !ok {
			return unsupported()
		}
		raw, closes = page, c
	}
	if raw != nil {
		return proxy.HeaderRule{Status: status, Reply: raw, Close: closes}, nil
	}
	if dynamic {
		if kw == "http-error" {
			return proxy.HeaderRule{}, errUnsupported(kw + " with a log-format payload or header")
		}
		d := &proxy.DynamicReply{Status: status, Headers: dynHdrs, ContentType: ctype, Body: bodyFmt}
		if bodyFmt == nil {
			d.Body = func(*proxy.RequestInfo) string { return string(body) }
		}
		return proxy.HeaderRule{Status: status, Dynamic: d, Close: closes}, nil
	}
	return proxy.HeaderRule{Status: status, Reply: proxy.BuildReply(status, hdrs, ctype, body), Close: closes}, nil
}

// normalizeErrorFile re-emits an errorfile as HAProxy 2.6 holds it once
// loaded (measured): the status line as written, header names in lower
// case, values trimmed, then the body. A Connection field stays, as it
// does in HAProxy's message, which the log counts; the proxy sends its
// own connection header instead (proxy/bytes_count.go).
// closes says the connection ends after it: the file said "Connection:
// close", or it has no content-length (its body ends with the
// connection). A file goha cannot be sure to re-emit the same way (a
// transfer-encoding, a Connection token other than close and keep-alive)
// is refused.
func normalizeErrorFile(b []byte) (page []byte, closes bool, err error) {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, false, errors.New("no end of headers")
	}
	lines := strings.Split(string(b[:i]), "\r\n")
	if !strings.HasPrefix(lines[0], "HTTP/1.1 ") && !strings.HasPrefix(lines[0], "HTTP/1.0 ") {
		return nil, false, errors.New("status line " + lines[0])
	}
	out := []byte(lines[0] + "\r\n")
	hasLength := false
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.TrimSpace(name) != name {
			return nil, false, fmt.Errorf("header line %q", l)
		}
		name = strings.ToLower(name)
		value = strings.Trim(value, " \t")
		switch name {
		case "connection":
			for _, tok := range strings.Split(value, ",") {
				switch strings.ToLower(strings.TrimSpace(tok)) {
				case "close":
					closes = true
				case "keep-alive", "":
				default:
					return nil, false, errors.New("connection: " + value)
				}
			}
		case "transfer-encoding":
			return nil, false, errors.New("header " + name)
		case "content-length":
			hasLength = true
		}
		out = append(out, name+": "+value+"\r\n"...)
	}
	out = append(out, "\r\n"...)
	return append(out, b[i+4:]...), closes || !hasLength, nil
}

// hasCloseToken reports whether a Connection value lists close.
func hasCloseToken(v string) bool {
	for _, tok := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(tok), "close") {
			return true
		}
	}
	return false
}

// redirectRule maps `redirect location|prefix|scheme <to> [code N]
// [drop-query] [append-slash] [set-cookie N[=V]] [clear-cookie N]` with a
// literal target.
func redirectRule(args []string) (*proxy.RedirectRule, error) {
	unsupported := func() (*proxy.RedirectRule, error) {
		return nil, errUnsupported("redirect " + strings.Join(args, " "))
	}
	if len(args) < 2 {
		return unsupported()
	}
	rd := &proxy.RedirectRule{Code: 302, Target: args[1]}
	switch args[0] {
	case "location":
		rd.Kind = proxy.RedirectLocation
	case "prefix":
		rd.Kind = proxy.RedirectPrefix
	case "scheme":
		rd.Kind = proxy.RedirectScheme
	default:
		return unsupported()
	}
	if strings.Contains(rd.Target, "%") {
		if rd.Kind == proxy.RedirectScheme {
			return nil, errUnsupported("redirect scheme with a log-format target")
		}
		f, err := acl.CompileFormat(rd.Target)
		if err != nil {
			return nil, errUnsupported("redirect " + args[0] + " with a log-format target: " + err.Error())
		}
		rd.TargetFormat = f
	}
	for i := 2; i < len(args); i++ {
		switch args[i] {
		case "drop-query":
			rd.DropQuery = true
		case "append-slash":
			rd.AppendSlash = true
		case "code", "set-cookie", "clear-cookie":
			if i+1 >= len(args) {
				return unsupported()
			}
			v := args[i+1]
			switch args[i] {
			case "code":
				n, err := strconv.Atoi(v)
				if err != nil || (n != 301 && n != 302 && n != 303 && n != 307 && n != 308) {
					return unsupported()
				}
				rd.Code = n
			case "set-cookie":
				rd.Cookie = v + "; path=/;"
			case "clear-cookie":
				rd.Cookie = v + "; path=/; Max-Age=0;"
			}
			i++
		default:
			return unsupported()
		}
	}
	return rd, nil
}

// replyFormatPlace is why a log-format payload of an http-response reply
// cannot be evaluated there (a request header fetch), or "".
func replyFormatPlace(kw, text string) string {
	if !strings.HasPrefix(kw, "http-response") {
		return ""
	}
	return acl.FormatUnavailable(text, acl.Response)
}

// responseReplyHdr is replyFormatPlace for a header value, which also
// may not read the response: measured, HAProxy 2.6 then closes the
// connection without any answer instead of sending the reply.
func responseReplyHdr(kw, text string) string {
	if msg := replyFormatPlace(kw, text); msg != "" {
		return msg
	}
	if !strings.HasPrefix(kw, "http-response") {
		return ""
	}
	if msg := acl.FormatUnavailable(text, acl.ListenRequest); msg != "" {
		return "a reply header reading the response (HAProxy 2.6 closes the connection unanswered): " + msg
	}
	return ""
}
