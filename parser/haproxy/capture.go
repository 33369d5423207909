package haproxy

import (
	"cmp"
	"strconv"
)

// Capture is one capture slot of a frontend: `capture request header
// <name> len <n>` (Header set), or `declare capture request len <n>`
// (Header empty: filled by http-request/http-response capture rules).
// HAProxy numbers a frontend's request slots, and its response slots, in
// the order they are declared, the `http-request capture ... len` rules
// included (each adds one).
type Capture struct {
	Pos      Pos
	Response bool
	Header   string
	Len      int
}

// CookieCapture is `capture cookie <name> len <n>`: the first request
// cookie, and the first response Set-Cookie, whose "name=value" starts
// with Name, up to Len bytes (%CC, %CS).
type CookieCapture struct {
	Pos  Pos
	Name string
	Len  int
}

// parseUniqueID reads unique-id-format and unique-id-header (the runtime
// adapter compiles the format).
func (s *state) parseUniqueID(px *Proxy, l *kwLine) bool {
	if len(l.w) != 2 {
		s.keepUnsupported(px, l)
		return false
	}
	if l.kw == "unique-id-format" {
		px.UniqueIDFormat, px.UniqueIDPos = l.w[1], l.p
	} else {
		px.UniqueIDHeader = l.w[1]
	}
	return false
}

// parseCapture reads `capture request|response header <name> len <n>`
// `declare capture request|response len <n>` and `capture cookie <name>
// len <n>`; anything malformed stays raw and reported.
func (s *state) parseCapture(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	w := l.w
	c := Capture{Pos: l.p}
	var lenWord string
	switch {
	case len(w) == 6 && w[0] == "capture" && (w[1] == "request" || w[1] == "response") && w[2] == "header" && w[4] == "len":
		c.Response, c.Header, lenWord = w[1] == "response", w[3], w[5]
	case len(w) == 5 && w[0] == "declare" && w[1] == "capture" && (w[2] == "request" || w[2] == "response") && w[3] == "len":
		c.Response, lenWord = w[2] == "response", w[4]
	case len(w) == 5 && w[0] == "capture" && w[1] == "cookie" && w[3] == "len":
		// HAProxy truncates a length of tune.http.cookielen+1 (64 by
		// default) or more with a warning; goha keeps those reported.
		n, err := strconv.Atoi(w[4])
		if err != nil || n <= 0 || n >= cmp.Or(s.cfg.Global.CookieLen, 64) || px.Cap&CapFrontend == 0 {
			s.keepUnsupported(px, l)
			return false
		}
		px.Raw = append(px.Raw, Statement{Pos: l.p, Args: w})
		px.CaptureCookie = &CookieCapture{Pos: l.p, Name: w[2], Len: n}
		return false
	default:
		s.keepUnsupported(px, l)
		return false
	}
	n, err := strconv.Atoi(lenWord)
	if err != nil || n <= 0 || px.Cap&CapFrontend == 0 {
		s.keepUnsupported(px, l)
		return false
	}
	c.Len = n
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: w})
	px.Captures = append(px.Captures, c)
	return false
}
