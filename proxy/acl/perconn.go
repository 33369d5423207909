package acl

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// A tcp frontend that HAProxy 2.6 upgrades to HTTP per connection
// evaluates its switching rules on the connection's raw bytes for its
// first request and on the HTTP message for the next ones (haproxycfg
// switchmode.go). A fetch whose value is the same on both is one of the
// connection (layer 4), a variable, or req.proto_http; goha does not
// model the others on one side or the other (HAProxy parses the raw
// bytes as HTTP for path or hdr, measures the HTX message for req.len).
var bothSides = map[string]bool{"var": true, "req.proto_http": true, "req_proto_http": true,
	"ssl_fc": true, "ssl_fc_sni": true}

func sameOnBothSides(name string) bool {
	f, ok := fetches[name]
	return ok && (f.layer4 && name != "fc_http_major" || bothSides[name])
}

// NotPerConn names the first criterion of c whose fetch has no value
// goha models both on a connection's raw bytes and on an HTTP request,
// or "".
func (s *Set) NotPerConn(c *haproxy.Condition) string {
	if c == nil {
		return ""
	}
	return s.firstACLNamed(c, func(name string) bool { return !sameOnBothSides(name) })
}

// FormatNotPerConn is NotPerConn for the sample expressions of a
// log-format text (a dynamic use_backend's name).
func FormatNotPerConn(text string) string {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return text[i:]
		}
		expr := text[i+2 : i+end]
		if !sameOnBothSides(haproxy.ParseSample(expr).Fetch.Name) {
			return expr
		}
		text = text[i+end:]
	}
	return ""
}
