package h2

import (
	"errors"
	"strconv"
	"strings"

	"golang.org/x/net/http2/hpack"
)

// Request is one stream's request as the client's HEADERS carried it,
// checked against RFC 9113 §8.2 and §8.3.
type Request struct {
	Method, Scheme, Authority, Path string
	// Fields are the regular header fields in order, names in lower case
	// (HPACK carries them so); Cookie crumbs are joined into one field as
	// §8.2.3 asks before passing to HTTP/1.1, placed last as HAProxy does.
	Fields []hpack.HeaderField
	// ContentLength is the content-length field's value, -1 when absent.
	ContentLength int64
	// NoBody: END_STREAM came with the headers.
	NoBody bool
	// Protocol is an extended CONNECT's :protocol (RFC 8441), "" for
	// any other request (HAProxy ignores it on other methods).
	Protocol string
}

// Tunnel reports a CONNECT request, plain (RFC 9113 §8.5: :authority
// only) or extended (RFC 8441: :protocol with :scheme and :path):
// once answered, the stream's DATA carry a tunnel.
func (r *Request) Tunnel() bool { return r.Method == "CONNECT" }

// errMalformed is a request §8.1.1 calls malformed: a stream error of
// type PROTOCOL_ERROR.
var errMalformed = errors.New("malformed request")

// connectionSpecific are the fields §8.2.2 forbids (te is allowed with
// the value "trailers" only).
var connectionSpecific = map[string]bool{
	"connection": true, "proxy-connection": true, "keep-alive": true,
	"transfer-encoding": true, "upgrade": true,
}

// parseRequest checks a request's decoded fields and builds the Request.
// The header decoder (headers.go) has already refused upper-case names,
// invalid characters, pseudo-fields after regular ones, duplicated or
// unknown pseudo-fields.
func parseRequest(fields []hpack.HeaderField, endStream bool) (Request, error) {
	return parseRequestInto(nil, fields, endStream)
}

// parseRequestInto is parseRequest with the Fields built in dst's memory
// when it has room (a reused stream's).
func parseRequestInto(dst, fields []hpack.HeaderField, endStream bool) (Request, error) {
	r := Request{ContentLength: -1, NoBody: endStream}
	n := 0
	for _, f := range fields {
		if !strings.HasPrefix(f.Name, ":") {
			n++
		}
	}
	if cap(dst) >= n {
		r.Fields = dst[:0]
	} else {
		r.Fields = make([]hpack.HeaderField, 0, n) // at most these (one allocation)
	}
	var cookie []string
	for _, f := range fields {
		if strings.HasPrefix(f.Name, ":") {
			switch f.Name {
			case ":method":
				r.Method = f.Value
			case ":scheme":
				r.Scheme = f.Value
			case ":authority":
				r.Authority = f.Value
			case ":path":
				r.Path = f.Value
			case ":protocol":
				r.Protocol = f.Value
			default: // :status
				return r, errMalformed
			}
			continue
		}
		switch {
		case connectionSpecific[f.Name]:
			return r, errMalformed
		case f.Name == "te" && !strings.EqualFold(f.Value, "trailers"):
			return r, errMalformed
		case f.Name == "host" && r.Authority != "":
			continue // :authority wins (§8.3.1); the server sees one host
		case f.Name == "content-length":
			n, err := strconv.ParseInt(f.Value, 10, 64)
			if err != nil || n < 0 || (r.ContentLength >= 0 && n != r.ContentLength) {
				return r, errMalformed
			}
			if r.ContentLength >= 0 {
				continue // the same value twice: one is enough
			}
			r.ContentLength = n
		case f.Name == "cookie":
			cookie = append(cookie, f.Value)
			continue
		}
		r.Fields = append(r.Fields, f)
	}
	if len(cookie) > 0 {
		// One cookie field after all the others, as HAProxy sends it.
		r.Fields = append(r.Fields, hpack.HeaderField{Name: "cookie", Value: strings.Join(cookie, "; ")})
	}
	if r.Method == "" {
		return r, errMalformed
	}
	if r.Method != "CONNECT" {
		r.Protocol = "" // HAProxy 2.6 takes such a request as if it had none
	}
	if r.Method == "CONNECT" && r.Protocol == "" {
		// §8.5: :authority only (HAProxy 2.6's h2_make_htx_request)
		if r.Authority == "" || r.Scheme != "" || r.Path != "" || hasLWSOrCTL(r.Authority) {
			return r, errMalformed
		}
		return r, nil
	}
	if r.Scheme == "" || r.Path == "" || (r.Protocol != "" && r.Authority == "") {
		return r, errMalformed // an extended CONNECT names its :authority
	}
	if r.Path[0] != '/' && !(r.Path == "*" && r.Method == "OPTIONS") {
		return r, errMalformed
	}
	if endStream && r.ContentLength > 0 {
		return r, errMalformed // §8.1.1: the DATA cannot match
	}
	if hasLWSOrCTL(r.Path) || (r.Authority != "" && (hasLWSOrCTL(r.Scheme) || hasLWSOrCTL(r.Authority))) {
		return r, errMalformed // HAProxy refuses such a URI (HTX_FL_PARSING_ERROR)
	}
	return r, nil
}

// hasLWSOrCTL reports a blank or a control character: HAProxy 2.6 refuses
// a request whose URI (scheme://authority/path, the path alone, or a
// CONNECT's authority) holds one.
func hasLWSOrCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// checkTrailers checks a trailer section (§8.1): no pseudo-fields, none of
// the connection-specific fields.
func checkTrailers(fields []hpack.HeaderField) error {
	for _, f := range fields {
		if strings.HasPrefix(f.Name, ":") || connectionSpecific[f.Name] {
			return errMalformed
		}
	}
	return nil
}
