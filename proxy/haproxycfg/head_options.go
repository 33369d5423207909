package haproxycfg

import (
	"cmp"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// headLimits maps tune.bufsize, tune.maxrewrite (an explicit 0 is
// negative there), tune.http.maxhdr, h1-accept-payload-with-any-method and
// tune.http.logurilen.
func headLimits(g *haproxy.Global) proxy.HeadLimits {
	l := proxy.HeadLimits{BufSize: g.BufSize, MaxHeaders: g.MaxHeaders, AnyMethodPayload: g.AnyMethodPayload, LogURILen: g.LogURILen}
	if g.MaxRewrite != nil {
		l.MaxRewrite = cmp.Or(*g.MaxRewrite, -1)
	}
	return l
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
