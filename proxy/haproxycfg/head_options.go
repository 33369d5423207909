package haproxycfg

import (
	"cmp"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// headLimits maps tune.bufsize, tune.maxrewrite and tune.http.maxhdr
// to proxy.Config's BufSize, MaxRewrite (negative: an explicit 0) and
// MaxHeaders.
func headLimits(g *haproxy.Global) (size, rewrite, maxHdr int) {
	if g.MaxRewrite != nil {
		rewrite = cmp.Or(*g.MaxRewrite, -1)
	}
	return g.BufSize, rewrite, g.MaxHeaders
}

// hdrNamePolicy maps `option http-restrict-req-hdr-names`.
func hdrNamePolicy(v string) proxy.HdrNamePolicy {
	switch v {
	case "delete":
		return proxy.HdrNamesDelete
	case "reject":
		return proxy.HdrNamesReject
	}
	return proxy.HdrNamesPreserve
}
