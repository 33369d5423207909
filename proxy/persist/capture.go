package persist

import (
	"strings"

	"github.com/goha-lb/goha/proxy/internal/quoted"
)

// The legacy `capture cookie <name> len <n>`, as HAProxy 2.6 captures it
// while it reads the cookies (http_manage_client_side_cookies and
// http_manage_server_side_cookies): the first cookie whose "name=value"
// (spaces around '=' dropped) starts with name, even as a mere prefix of
// a longer name, cut to max bytes.

// CaptureRequest is the capture from a request's Cookie header values,
// in order; ok is false when no cookie matches.
func CaptureRequest(values [][]byte, name string, max int) (string, bool) {
	for _, h := range values {
		end := len(h)
		var next int
		for prev, first := 0, true; prev < end; prev, first = next, false {
			var attBeg, attEnd, equal, valBeg, valEnd int
			attBeg, attEnd, equal, valBeg, valEnd, next = scanPair(h, prev, end, first)
			if attBeg < end && h[attBeg] == '$' || equal == next {
				continue // an RFC2109 attribute, or no '=': not captured
			}
			if v, ok := captured(h[attBeg:attEnd], h[valBeg:valEnd], name, max); ok {
				return v, true
			}
		}
	}
	return "", false
}

// CaptureResponse is the capture from a response's Set-Cookie header
// values, in order: only the cookie before the first ';' of each counts.
func CaptureResponse(values [][]byte, name string, max int) (string, bool) {
	for _, h := range values {
		end := len(h)
		attBeg := 0
		for attBeg < end && isSPHT(h[attBeg]) {
			attBeg++
		}
		equal, attEnd := attBeg, attBeg
		for equal < end && h[equal] != '=' && h[equal] != ';' {
			if !isSPHT(h[equal]) {
				attEnd = equal + 1
			}
			equal++
		}
		if equal >= end || h[equal] != '=' {
			continue
		}
		valBeg := equal + 1
		for valBeg < end && isSPHT(h[valBeg]) {
			valBeg++
		}
		valEnd := quoted.End(h, valBeg, end, true)
		for valEnd > valBeg && isSPHT(h[valEnd-1]) {
			valEnd--
		}
		if v, ok := captured(h[attBeg:attEnd], h[valBeg:valEnd], name, max); ok {
			return v, true
		}
	}
	return "", false
}

func captured(att, val []byte, name string, max int) (string, bool) {
	full := string(att) + "=" + string(val)
	if !strings.HasPrefix(full, name) {
		return "", false
	}
	return full[:min(len(full), max)], true
}
