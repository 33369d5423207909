package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// normalizeRule maps http-request normalize-uri with each of HAProxy
// 2.6's normalizers and their options (proxy/actions_normalize.go);
// anything else is reported.
func (b *builder) normalizeRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	if kw == "http-request" && len(r.Args) >= 1 && len(r.Args) <= 2 {
		switch name := strings.Join(r.Args, " "); name {
		case "path-merge-slashes", "path-strip-dot", "path-strip-dotdot", "path-strip-dotdot full",
			"query-sort-by-name", "percent-to-uppercase", "percent-to-uppercase strict",
			"percent-decode-unreserved", "percent-decode-unreserved strict", "fragment-strip", "fragment-encode":
			if r.Cond != nil && len(r.Args) == 1 && optionalWord[name] {
				// HAProxy 2.6.12's parser sets no normalizer when the
				// optional word is followed by if/unless: the rule keeps
				// the zeroed value, path-merge-slashes (measured:
				// "percent-to-uppercase if TRUE" merges slashes and
				// leaves %aa as it is).
				name = "path-merge-slashes"
			}
			return proxy.HeaderRule{Action: proxy.NormalizeURI, Name: name}, true
		}
	}
	b.unsupported(r.Pos, strings.TrimSpace(kw+" normalize-uri "+strings.Join(r.Args, " ")))
	return proxy.HeaderRule{}, false
}

// optionalWord are the normalizers whose parser looks for an optional
// word (full, strict) after them.
var optionalWord = map[string]bool{"path-strip-dotdot": true, "percent-to-uppercase": true, "percent-decode-unreserved": true}
