package haproxycfg

import (
	"slices"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/stick"
)

// stickRuleTables are the names of the tables some enabled proxy's
// `stick` rules name: they store server_id, as HAProxy adds it to a table
// stick rules use.
func stickRuleTables(cfg *haproxy.Config) map[string]bool {
	names := map[string]bool{}
	for _, px := range cfg.Proxies {
		if px.Disabled {
			continue
		}
		for _, r := range px.StickRules {
			names[stickTableName(px, r)] = true
		}
	}
	return names
}

func stickTableName(px *haproxy.Proxy, r haproxy.StickRule) string {
	if r.Table != "" {
		return r.Table
	}
	return px.Name
}

// withServerID adds server_id and server_key to a table's stored types
// when missing, as HAProxy 2.6 does for a table stick rules use.
func withServerID(c stick.Config) stick.Config {
	for _, d := range []stick.DataType{stick.ServerID, stick.ServerKey} {
		if !slices.ContainsFunc(c.Stores, func(s stick.Store) bool { return s.Type == d }) {
			c.Stores = append(c.Stores, stick.Store{Type: d})
		}
	}
	return c
}

// stickRules maps a backend's `stick on|match|store-request|store-response`
// rules, in HTTP and TCP mode. A fetch HAProxy cannot give where the rule
// runs (request headers in store-response, response headers in the others,
// HTTP headers in TCP mode) is reported: HAProxy refuses such a key and
// warns that such a condition never matches.
func (b *builder) stickRules(px *haproxy.Proxy, be *proxy.Backend) {
	if len(px.StickRules) == 0 || px.Cap&haproxy.CapBackend == 0 {
		return
	}
	for i, s := range px.Servers {
		if _, ok := s.Other["non-stick"]; ok || s.Set["non-stick"] {
			b.unsupported(px.Servers[i].Pos, "server option non-stick with stick rules")
		}
	}
	acls := acl.NewSet(px.ACLs)
	for _, r := range px.StickRules {
		what := "stick " + r.Verb
		place := acl.ListenRequest
		switch {
		case px.Mode != "http" && r.Verb == "store-response":
			// in TCP mode the request's bytes are gone by then (its head
			// fetches read them: tcp_http_fetch.go), and no response head
			place = acl.Log
		case r.Verb == "store-response":
			place = acl.Response
		}
		if b.rawHTTPExpr(px, r.Pos, what+" "+r.Pattern, r.Pattern) || b.rawHTTPCond(px, acls, r.Pos, what+" condition", r.Cond) {
			continue // tcp_http_fetch.go
		}
		if msg := acl.FormatUnavailable("%["+r.Pattern+"]", place); msg != "" {
			b.unsupported(r.Pos, what+" "+r.Pattern+": "+msg)
			continue
		}
		if r.Cond != nil {
			if msg := acls.Unavailable(r.Cond, place); msg != "" {
				b.unsupported(r.Pos, what+" condition: "+msg)
				continue
			}
		}
		name := stickTableName(px, r)
		t := b.tables[name]
		if t == nil {
			b.unsupported(r.Pos, what+": no table "+name)
			continue
		}
		if _, ok := t.Stores(stick.ServerID); !ok {
			// a peers section's table, built without server_id
			b.unsupported(r.Pos, what+": table "+name+" does not store server_id")
			continue
		}
		e, err := acl.CompileExpr(haproxy.ParseSample(r.Pattern))
		if err != nil || !acl.StickKeyCast(e.Type(), t.Config().Key) {
			what += " " + r.Pattern
			if err != nil {
				what += ": " + err.Error()
			}
			b.unsupported(r.Pos, what)
			continue
		}
		cfg := t.Config()
		so := proxy.StickOn{Match: r.Match(), Store: r.Store(), Response: r.Verb == "store-response", Table: t,
			Key: func(ri *proxy.RequestInfo) ([]byte, bool) { return e.StickKey(ri, cfg) }}
		if r.Cond != nil {
			cond, err := acls.Compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			so.Cond = cond
		}
		be.StickRules = append(be.StickRules, so)
		be.StoreResponse = be.StoreResponse || so.Response
	}
}
