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
)

// errUnsupported marks a rule form goha does not implement; its message is
// the notice's subject.
type errUnsupported string

func (e errUnsupported) Error() string { return string(e) }

// terminalRule maps http-request deny, allow, return and redirect, as
// HAProxy 2.6 builds their responses. A form goha lacks (log-format
// payloads and headers, errorfiles sections, dynamic redirect targets) is
// an errUnsupported.
func terminalRule(r haproxy.HTTPRule, errorFiles map[int]string) (proxy.HeaderRule, error) {
	switch r.Action {
	case "allow":
		if len(r.Args) != 0 {
			return proxy.HeaderRule{}, errUnsupported("http-request allow " + strings.Join(r.Args, " "))
		}
		return proxy.HeaderRule{Action: proxy.Allow}, nil
	case "deny":
		return denyRule(r.Args, errorFiles, proxy.Deny, 403)
	case "tarpit":
		return denyRule(r.Args, errorFiles, proxy.Tarpit, 500)
	case "return":
		hr, err := replyRule(r.Args, 200, "http-request return")
		hr.Action = proxy.Return
		return hr, err
	case "redirect":
		rd, err := redirectRule(r.Args)
		if err != nil {
			return proxy.HeaderRule{}, err
		}
		return proxy.HeaderRule{Action: proxy.Redirect, Redirect: rd}, nil
	}
	return proxy.HeaderRule{}, errUnsupported("http-request " + r.Action)
}

// denyRule: `deny` alone or with `deny_status <code>` alone sends the
// proxy's error page for the code (403 by default); any other reply
// argument makes an http reply built from the arguments.
// tarpit takes the same arguments, with 500 for default.
func denyRule(args []string, errorFiles map[int]string, action proxy.RuleAction, status int) (proxy.HeaderRule, error) {
	kw := "http-request deny"
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
		page, closes, ok := proxy.RuleErrorPage(code)
		if !ok {
			return hr, errUnsupported(kw + " deny_status " + args[1])
		}
		hr.Status = code
		if closes {
			if _, custom := errorFiles[code]; custom {
				return hr, errUnsupported(kw + " deny_status " + args[1] + " with an errorfile")
			}
			hr.Reply, hr.Close = page, true
		}
		return hr, nil // the proxy's page: an errorfile for the code applies
	}
	if args[0] == "deny_status" {
		args = append([]string{"status"}, args[1:]...)
	}
	out, err := replyRule(args, status, kw)
	out.Action = action
	return out, err
}

// replyRule builds an http reply (return, deny with arguments): status,
// content-type, hdr, and one payload among string, file and errorfile.
func replyRule(args []string, status int, kw string) (proxy.HeaderRule, error) {
	var (
		ctype   string
		hdrs    []proxy.ReplyHeader
		body    []byte
		payload string
		raw     []byte // errorfile: the whole response
	)
	unsupported := func() (proxy.HeaderRule, error) {
		return proxy.HeaderRule{}, errUnsupported(kw + " " + strings.Join(args, " "))
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
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
			if i+1 >= len(args) || strings.Contains(args[i+1], "%") {
				return unsupported() // a log-format value
			}
			i++
			switch strings.ToLower(v) {
			case "content-length", "transfer-encoding", "content-type":
				continue // HAProxy ignores them (with a warning)
			}
			hdrs = append(hdrs, proxy.ReplyHeader{Name: v, Value: args[i]})
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
				if raw, err = normalizeErrorFile(b); err != nil {
					return proxy.HeaderRule{}, errUnsupported(kw + " errorfile " + v + ": " + err.Error())
				}
			}
		default: // lf-string, lf-file, errorfiles, default-errorfiles, ...
			return unsupported()
		}
	}
	if raw != nil {
		return proxy.HeaderRule{Status: status, Reply: raw}, nil
	}
	return proxy.HeaderRule{Status: status, Reply: proxy.BuildReply(status, hdrs, ctype, body)}, nil
}

// normalizeErrorFile re-emits an errorfile as HAProxy 2.6 sends it once
// loaded: the status line as written, header names in lower case, then
// the body. A file goha cannot be sure to re-emit the same way (no
// content-length, its own connection or transfer-encoding header) is
// refused.
func normalizeErrorFile(b []byte) ([]byte, error) {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, errors.New("no end of headers")
	}
	lines := strings.Split(string(b[:i]), "\r\n")
	if !strings.HasPrefix(lines[0], "HTTP/1.1 ") && !strings.HasPrefix(lines[0], "HTTP/1.0 ") {
		return nil, errors.New("status line " + lines[0])
	}
	out := []byte(lines[0] + "\r\n")
	hasLength := false
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.TrimSpace(name) != name {
			return nil, fmt.Errorf("header line %q", l)
		}
		name = strings.ToLower(name)
		switch name {
		case "connection", "transfer-encoding":
			return nil, errors.New("header " + name)
		case "content-length":
			hasLength = true
		}
		out = append(out, name+": "+strings.Trim(value, " \t")+"\r\n"...)
	}
	if !hasLength {
		return nil, errors.New("no content-length")
	}
	out = append(out, "\r\n"...)
	return append(out, b[i+4:]...), nil
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
		return nil, errUnsupported("redirect " + args[0] + " with a log-format target")
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
