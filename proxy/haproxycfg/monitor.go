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

// proxyIDs numbers the proxies as HAProxy 2.6 does (fe_id, be_id, iid):
// in file order from 1, after the stats socket's GLOBAL proxy when there
// is one; a proxy's `id` is its own, the others take the first free
// number from a counter that moves past every proxy, numbered or not.
func proxyIDs(pxs []*haproxy.Proxy, global bool) map[string]int {
	used := map[int]bool{}
	for _, px := range pxs {
		if px.ID > 0 {
			used[px.ID] = true
		}
	}
	next := 1
	take := func() int {
		for used[next] {
			next++
		}
		used[next] = true
		return next
	}
	if global {
		take()
		next++
	}
	ids := make(map[string]int, len(pxs))
	for _, px := range pxs {
		id := px.ID
		if id <= 0 {
			id = take()
		}
		ids[px.Name] = id
		next++
	}
	return ids
}

// useServers maps the use-server rules of an HTTP backend; a dynamic
// server name and a tcp backend are reported.
func (b *builder) useServers(px *haproxy.Proxy, be *proxy.Backend, acls *acl.Set) {
	for _, r := range px.UseServers {
		if be.Mode != proxy.ModeHTTP {
			b.unsupported(r.Pos, "use-server in a tcp backend")
			continue
		}
		idx := -1
		for i, sv := range px.Servers {
			if sv.Name == r.Server {
				idx = i
			}
		}
		if idx < 0 {
			b.unsupported(r.Pos, "use-server with a dynamic server name")
			continue
		}
		cond, err := acls.Compile(r.Cond)
		if err != nil {
			b.unsupported(r.Pos, "use-server condition: "+err.Error())
			continue
		}
		be.UseServers = append(be.UseServers, proxy.UseServer{Server: idx, Cond: cond})
	}
}
