package proxy

import (
	"bytes"
	"strconv"
)

// RedirectKind is the form of a redirect rule's target.
type RedirectKind int

const (
	RedirectLocation RedirectKind = iota // the target as is
	RedirectPrefix                       // the target, then the request's path
	RedirectScheme                       // the target, "://", the Host header, the path
)

// RedirectRule is `http-request redirect` / `redirect` with a literal
// target, as HAProxy 2.6 answers it (http_apply_redirect_rule).
type RedirectRule struct {
	Kind        RedirectKind
	Target      string
	Code        int    // 301, 302 (default), 303, 307 or 308
	DropQuery   bool   // prefix/scheme: the path loses its query string
	AppendSlash bool   // prefix/scheme: a location not ending in "/" gets one
	Cookie      string // the Set-Cookie value (set-cookie / clear-cookie), "" = none
	// TargetFormat, when set, computes the target per request (a
	// log-format target); Target is then unused.
	TargetFormat func(*RequestInfo) string
}

// redirectReason is HAProxy's reason phrase for each redirect code.
func redirectReason(code int) string {
	switch code {
	case 301:
		return "Moved Permanently"
	case 303:
		return "See Other"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	}
	return "Found"
}

// requestPath is the path of a request target with its query, the way
// HAProxy's http_parse_path reads it: an absolute URI loses its scheme and
// authority, and a target without a path ("*", "http://h") has none.
func requestPath(target []byte) []byte {
	if i := pathStart(target); i < len(target) && target[i] == '/' {
		return target[i:]
	}
	return nil
}

// pathStart is where the path of a request target starts: 0 for an
// origin-form (or any non-absolute) target; after the scheme and authority
// of an absolute URI, at its query when it has no path, or at its end.
func pathStart(target []byte) int {
	if len(target) == 0 || target[0] == '/' {
		return 0
	}
	i := bytes.Index(target, []byte("://"))
	if i < 0 {
		return 0
	}
	rest := target[i+3:]
	if j := bytes.IndexByte(rest, '/'); j >= 0 {
		return i + 3 + j
	}
	if j := bytes.IndexByte(rest, '?'); j >= 0 {
		return i + 3 + j
	}
	return len(target)
}

// AppendResponse appends the whole redirect response for the request
// (the connection header is the caller's).
func (r *RedirectRule) AppendResponse(out []byte, req *RequestInfo) []byte {
	to := r.Target
	if r.TargetFormat != nil {
		to = r.TargetFormat(req)
	}
	return r.appendResponse(out, to, req.Target, req.Header("host"))
}

// appendResponse is AppendResponse for the target to, a request with
// this target and Host value.
func (r *RedirectRule) appendResponse(out []byte, to string, target, host []byte) []byte {
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(r.Code), 10)
	out = append(out, ' ')
	out = append(out, redirectReason(r.Code)...)
	out = append(out, "\r\ncontent-length: 0\r\nlocation: "...)
	n := len(out)
	if r.Kind == RedirectLocation {
		out = append(out, to...)
	} else {
		path := requestPath(target)
		if r.DropQuery {
			if i := bytes.IndexByte(path, '?'); i >= 0 {
				path = path[:i]
			}
		}
		if len(path) == 0 {
			path = []byte("/")
		}
		if r.Kind == RedirectScheme {
			out = append(out, to...)
			out = append(out, "://"...)
			out = append(out, host...)
		} else if to != "/" {
			// A prefix "/" adds nothing: a self-redirection.
			out = append(out, to...)
		}
		out = append(out, path...)
		if r.AppendSlash && len(out) > n && out[len(out)-1] != '/' {
			out = append(out, '/')
		}
	}
	out = append(out, "\r\n"...)
	if r.Code == 302 || r.Code == 303 || r.Code == 307 {
		out = append(out, "cache-control: no-cache\r\n"...)
	}
	if r.Cookie != "" {
		out = append(out, "set-cookie: "...)
		out = append(out, r.Cookie...)
		out = append(out, "\r\n"...)
	}
	return append(out, "\r\n"...)
}

// reasons are HAProxy 2.6's reason phrases (http_get_reason), for the
// responses it builds itself.
var reasons = map[int]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
	205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 210: "Content Different", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
	305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect", 310: "Too many Redirects",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
	408: "Request Time-out", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
	413: "Request Entity Too Large", 414: "Request-URI Too Long", 415: "Unsupported Media Type",
	416: "Requested range unsatisfiable", 417: "Expectation failed", 418: "I'm a teapot",
	421: "Misdirected Request", 422: "Unprocessable Content", 423: "Locked", 424: "Method failure",
	425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 449: "Retry With", 450: "Blocked by Windows Parental Controls",
	451: "Unavailable For Legal Reasons", 456: "Unrecoverable Error", 499: "client has closed connection",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway or Proxy Error",
	503: "Service Unavailable", 504: "Gateway Time-out", 505: "HTTP Version not supported",
	506: "Variant also negotiate", 507: "Insufficient storage", 508: "Loop detected",
	509: "Bandwidth Limit Exceeded", 510: "Not extended", 511: "Network authentication required",
	520: "Web server is returning an unknown error",
}

// Reason is HAProxy's reason phrase for status.
func Reason(status int) string {
	if r, ok := reasons[status]; ok {
		return r
	}
	switch status / 100 {
	case 1:
		return "Informational"
	case 2:
		return "Success"
	case 3:
		return "Redirection"
	case 4:
		return "Client Error"
	case 5:
		return "Server Error"
	}
	return "Other"
}

// ReplyHeader is one `hdr <name> <value>` of a deny/return rule.
type ReplyHeader struct{ Name, Value string }

// BuildReply is the response HAProxy 2.6 builds for an http reply with a
// literal payload (or none): status line, the hdr headers in order, names
// in lower case, then content-length (none for 204 and 304) and
// content-type (only with a non-empty payload), then the payload.
func BuildReply(status int, hdrs []ReplyHeader, ctype string, body []byte) []byte {
	out := []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + Reason(status) + "\r\n")
	for _, h := range hdrs {
		out = appendHeader(out, []byte(h.Name), []byte(h.Value))
	}
	if status != 204 && status != 304 {
		out = append(out, "content-length: "+strconv.Itoa(len(body))+"\r\n"...)
	}
	if len(body) > 0 && ctype != "" {
		out = append(out, "content-type: "+ctype+"\r\n"...)
	}
	out = append(out, "\r\n"...)
	return append(out, body...)
}

// DynamicReply is an http reply whose payload or header values are
// log-format strings (lf-string, lf-file, a hdr value with %[...]),
// evaluated per request and then built as BuildReply builds a literal one.
type DynamicReply struct {
	Status      int
	Headers     []DynamicHeader
	ContentType string
	// Body computes the payload (nil: none).
	Body func(*RequestInfo) string
}

// DynamicHeader is a reply header whose value is Value, or Format's when
// Format is set.
type DynamicHeader struct {
	Name, Value string
	Format      func(*RequestInfo) string
}

// Build returns the response for the request r.
func (d *DynamicReply) Build(r *RequestInfo) []byte {
	hdrs := make([]ReplyHeader, 0, len(d.Headers))
	for _, h := range d.Headers {
		v := h.Value
		if h.Format != nil {
			v = h.Format(r)
		}
		if v == "" {
			continue // measured: HAProxy adds no header with an empty value
		}
		hdrs = append(hdrs, ReplyHeader{Name: h.Name, Value: v})
	}
	var body []byte
	if d.Body != nil {
		body = []byte(d.Body(r))
	}
	return BuildReply(d.Status, hdrs, d.ContentType, body)
}
