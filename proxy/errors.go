package proxy

import (
	"fmt"
	"os"
	"strconv"
)

// builtinErrors are the responses HAProxy 2.6.12 puts on the wire, captured
// from the Debian binary on 127.0.0.1. Errors the H1 parser raises itself
// (400, 408) keep HAProxy's legacy header case and "Connection: close";
// errors produced after parsing go through its HTX layer and come out with
// lower-case header names.
var builtinErrors = map[int]string{
	400: legacy("400 Bad request", "Your browser sent an invalid request.", true),
	408: legacy("408 Request Time-out", "Your browser didn't send a complete request in time.", true),
	422: legacy("422 Unprocessable Content", "The server cannot process the contained instructions.", false),
	403: htx("403 Forbidden", "Request forbidden by administrative rules."),
	500: htx("500 Internal Server Error", "An internal server error occurred."),
	502: htx("502 Bad Gateway", "The server returned an invalid or incomplete response."),
	503: htx("503 Service Unavailable", "No server is available to handle this request."),
	504: htx("504 Gateway Time-out", "The server didn't respond in time."),
	// The other pages HAProxy has for `deny_status` and the like
	// (captured the same way; 407's reason and 501's leading dot are
	// HAProxy's).
	200: htx("200 OK", "Service ready."),
	401: htx("401 Unauthorized", "You need a valid user and password to access this content."),
	404: htx("404 Not Found", "The resource could not be found."),
	405: htx("405 Method Not Allowed", "A request was made of a resource using a request method not supported by that resource"),
	407: htx("407 Unauthorized", "You need a valid user and password to access this content."),
	410: htx("410 Gone", "The resource is no longer available and will not be available again."),
	413: htx("413 Payload Too Large", "The request entity exceeds the maximum allowed."),
	425: htx("425 Too Early", "Your browser sent early data."),
	429: htx("429 Too Many Requests", "You have sent too many requests in a given amount of time."),
	501: htx("501 Not Implemented", ".The server does not support the functionality required to fulfill the request."),
}

// parserPayloadPage is the 413 HAProxy's H1 mux sends for an HTTP/1.0
// GET, HEAD or DELETE with a payload (http1.Request.AnyMethodPayload).
var parserPayloadPage = legacy("413 Payload Too Large", "The request entity exceeds the maximum allowed.", false)

// ruleErrorPages are the 400 and 408 pages as an http-request rule sends
// them (deny_status 400): through HAProxy's HTX layer, lower-case names;
// the connection ends after them (answerRule says so in the head). Their
// HTX message keeps the "Connection: close" field of HAProxy's text,
// which the log counts (206 bytes for the 400, measured) and the H1
// output replaces by its own (bytes_count.go).
var ruleErrorPages = map[int]string{
	400: htxClosing("400 Bad request", "Your browser sent an invalid request."),
	408: htxClosing("408 Request Time-out", "Your browser didn't send a complete request in time."),
}

// RuleErrorPage is the built-in page HAProxy 2.6 sends for `deny
// deny_status <code>` (its `default-errorfiles`), and whether the
// connection closes after it; ok is false for a code HAProxy has no page
// for (it refuses the configuration).
func RuleErrorPage(code int) (page []byte, close, ok bool) {
	if p, ok := ruleErrorPages[code]; ok {
		return []byte(p), true, true
	}
	p, ok := builtinErrors[code]
	if !ok || code == 422 {
		return nil, false, false
	}
	return []byte(p), false, true
}

func body(status, text string) string {
	return "<html><body><h1>" + status + "</h1>\n" + text + "\n</body></html>\n"
}

func legacy(status, text string, close bool) string {
	b := body(status, text)
	conn := ""
	if close {
		conn = "Connection: close\r\n"
	}
	return "HTTP/1.1 " + status + "\r\nContent-length: " + strconv.Itoa(len(b)) +
		"\r\nCache-Control: no-cache\r\n" + conn + "Content-Type: text/html\r\n\r\n" + b
}

// htxClosing is htx with HAProxy's "Connection: close" field, where its
// text has it.
func htxClosing(status, text string) string {
	b := body(status, text)
	return "HTTP/1.1 " + status + "\r\ncontent-length: " + strconv.Itoa(len(b)) +
		"\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n" + b
}

func htx(status, text string) string {
	b := body(status, text)
	return "HTTP/1.1 " + status + "\r\ncontent-length: " + strconv.Itoa(len(b)) +
		"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n" + b
}

// errorPages holds a proxy's own pages (errorfiles and the like), by
// status; the built-in ones are not in it.
type errorPages map[int][]byte

// loadErrorPages reads each errorfile once (like HAProxy's legacy
// loader, the file is sent as is), then takes the adapter's pages.
func loadErrorPages(files map[int]string, pages map[int][]byte) (errorPages, error) {
	out := errorPages{}
	for code, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("errorfile %d: %w", code, err)
		}
		out[code] = b
	}
	for code, b := range pages {
		out[code] = b
	}
	return out, nil
}

// builtinPage is HAProxy's own page for code.
func builtinPage(code int) []byte {
	if p, ok := builtinErrors[code]; ok {
		return []byte(p)
	}
	return nil
}

// errorPage is the page HAProxy 2.6's http_error_message picks for code:
// the backend's own, else the frontend's, else the built-in one.
func (s *session) errorPage(code int, be *backend) []byte {
	if be != nil {
		if p, ok := be.errs[code]; ok {
			return p
		}
	}
	if p, ok := s.fe.errs[code]; ok {
		return p
	}
	return builtinPage(code)
}

// errorPageCloses says whether the connection ends after the page
// errorPage picks (an own page marked so by the adapter).
func (s *session) errorPageCloses(code int, be *backend) bool {
	if be != nil {
		if _, ok := be.errs[code]; ok {
			return be.cfg.ErrorPageCloses[code]
		}
	}
	if _, ok := s.fe.errs[code]; ok {
		return s.fe.cfg.ErrorPageCloses[code]
	}
	return false
}
