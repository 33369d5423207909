package haproxycfg

import (
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/persist"
)

// persistence maps a backend's cookie persistence: the `cookie` line,
// `option persist` and the force-persist/ignore-persist rules. HAProxy
// ignores all of it outside mode http (the parser warns as it does).
// `persist rdp-cookie` reads the tcp-mode payload (persist_rdp.go).
func (b *builder) persistence(px *haproxy.Proxy, be *proxy.Backend) {
	be.Persist = px.Options["persist"] // stick rules and rdp-cookie read it in tcp mode too
	// In mode http the RDP cookie is never found (HAProxy looks for it at
	// the start of its internal HTX message), so persist rdp-cookie only
	// runs on tcp sessions, which carry the bytes the client sent.
	be.RDPCookie = px.PersistRDPCookie
	if be.RDPCookie != "" {
		for _, s := range px.Servers {
			// HAProxy compares the cookie with the IPv4 address resolved
			// at start; goha compares literal addresses only (an IPv6
			// server never matches, in both)
			addr, err := fixedServerAddr(s.Addr)
			if _, perr := netip.ParseAddrPort(addr); err != nil || perr != nil {
				b.unsupported(s.Pos, "persist rdp-cookie with server address "+s.Addr.Raw)
			}
		}
	}
	c := px.Cookie
	if px.DynamicCookieKey != "" && (c == nil || !c.Dynamic || px.Mode != "http") {
		b.unsupported(px.Pos, "dynamic-cookie-key") // inert: only dynamic cookies read it
	}
	if px.Mode != "http" {
		for _, r := range px.PersistRules {
			// Without cookies it would still keep a failed request from
			// being redispatched (and it drives stick tables).
			b.unsupported(r.Pos, "force-persist/ignore-persist in a tcp proxy")
		}
		return
	}
	b.persistRules(px, be)
	if c == nil {
		return
	}
	be.DynamicCookie, be.DynamicCookieKey = c.Dynamic, px.DynamicCookieKey
	if c.Dynamic && px.DynamicCookieKey != "" {
		b.dynamicCookies(px, be)
	}
	pc := &persist.Cookie{
		Name: c.Name, Indirect: c.Indirect, NoCache: c.NoCache, PostOnly: c.PostOnly,
		Preserve: c.Preserve, HTTPOnly: c.HTTPOnly, Secure: c.Secure,
		Domain: strings.Join(c.Domains, "; domain="), Attrs: strings.Join(c.Attrs, "; "),
		MaxIdle: c.MaxIdle, MaxLife: c.MaxLife,
	}
	switch {
	case c.Rewrite:
		pc.Mode = persist.Rewrite
	case c.Insert:
		pc.Mode = persist.Insert
	case c.Prefix:
		pc.Mode = persist.Prefix
	}
	be.Cookie = pc
}

// dynamicCookies gives each server without a `cookie` of its own the
// value HAProxy derives from the key and the server's address and port.
func (b *builder) dynamicCookies(px *haproxy.Proxy, be *proxy.Backend) {
	for i, s := range be.Servers {
		if s.Cookie != "" || i >= len(px.Servers) {
			continue
		}
		ap, err := netip.ParseAddrPort(s.Addr)
		if err != nil {
			b.unsupported(px.Servers[i].Pos, "cookie dynamic for a server without an IP address")
			continue
		}
		s.Cookie = persist.DynamicCookie(px.DynamicCookieKey, ap)
	}
}

// persistRules compiles the force-persist/ignore-persist conditions.
func (b *builder) persistRules(px *haproxy.Proxy, be *proxy.Backend) {
	acls := acl.NewSet(px.ACLs)
	for _, r := range px.PersistRules {
		pr := proxy.PersistRule{Force: r.Force}
		if r.Cond != nil {
			cond, err := acls.Compile(r.Cond)
			if err != nil {
				kw := "ignore-persist"
				if r.Force {
					kw = "force-persist"
				}
				b.unsupported(r.Pos, kw+" condition: "+err.Error())
				continue
			}
			pr.Cond = cond
		}
		be.PersistRules = append(be.PersistRules, pr)
	}
}
