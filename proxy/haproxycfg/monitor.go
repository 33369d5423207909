package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// monitor maps `monitor-uri` and `monitor fail` (HTTP frontends: HAProxy
// checks the URI in its HTTP analyser only).
func (b *builder) monitor(px *haproxy.Proxy, acls *acl.Set) *proxy.Monitor {
	m := px.Monitor
	if m.URI == "" && len(m.Fail) == 0 {
		return nil
	}
	out := &proxy.Monitor{URI: m.URI}
	for _, f := range m.Fail {
		cond, err := acls.Compile(f.Cond)
		if err != nil {
			b.unsupported(f.Pos, "monitor fail condition: "+err.Error())
			continue
		}
		out.Fail = append(out.Fail, cond)
	}
	return out
}

// originalTo maps `option originalto` with HAProxy's default header name.
func (b *builder) originalTo(px *haproxy.Proxy) proxy.OriginalTo {
	ot := px.OriginalTo
	if ot == nil {
		return proxy.OriginalTo{}
	}
	out := proxy.OriginalTo{Enabled: true, Header: ot.Header}
	if out.Header == "" {
		out.Header = haproxy.DefaultOriginalToHeader
	}
	if ot.Except != "" {
		pfx, err := acl.ParsePrefix(ot.Except)
		if err != nil {
			b.unsupported(px.Pos, "option originalto except "+ot.Except)
		} else {
			out.Except = pfx
		}
	}
	return out
}
