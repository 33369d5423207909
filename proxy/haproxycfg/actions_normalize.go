package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// normalizeRule maps http-request normalize-uri for the normalizers the
// data path runs (proxy/actions_normalize.go); the others, and options
// such as strict, are reported.
func (b *builder) normalizeRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	if kw == "http-request" && len(r.Args) == 1 {
		switch r.Args[0] {
		case "path-merge-slashes", "percent-to-uppercase", "fragment-strip":
			return proxy.HeaderRule{Action: proxy.NormalizeURI, Name: r.Args[0]}, true
		}
	}
	b.unsupported(r.Pos, strings.TrimSpace(kw+" normalize-uri "+strings.Join(r.Args, " ")))
	return proxy.HeaderRule{}, false
}
