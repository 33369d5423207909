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

func htx(status, text string) string {
	b := body(status, text)
	return "HTTP/1.1 " + status + "\r\ncontent-length: " + strconv.Itoa(len(b)) +
		"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n" + b
}

// errorPages holds the raw responses one proxy sends, errorfiles applied.
type errorPages map[int][]byte

// loadErrorPages reads each errorfile once; like HAProxy, the file is the
// complete raw response and is sent as is.
func loadErrorPages(files ...map[int]string) (errorPages, error) {
	pages := errorPages{}
	for code, s := range builtinErrors {
		pages[code] = []byte(s)
	}
	for _, m := range files {
		for code, path := range m {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("errorfile %d: %w", code, err)
			}
			pages[code] = b
		}
	}
	return pages, nil
}
