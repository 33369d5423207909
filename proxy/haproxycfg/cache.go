package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/cache"
)

// buildCaches makes the store of every cache section, in file order
// (`show cache` lists them all, used or not).
func (b *builder) buildCaches() {
	for _, sec := range b.cfg.Caches {
		b.plan.Caches = append(b.plan.Caches, cache.New(cache.Config{Name: sec.Name, TotalMaxSize: sec.TotalMaxSize,
			MaxObjectSize: sec.MaxObjectSize, MaxAge: sec.MaxAge, ProcessVary: sec.ProcessVary,
			MaxSecondaryEntries: sec.MaxSecondaryEntries}))
	}
}

// hitRuleActions are the http-response actions a cache hit goes through
// in goha (cache_use.go: header edits and deny, as for a Service); a
// frontend with others refuses cache-use, whose hits would skip them.
var hitRuleActions = map[string]bool{"set-header": true, "add-header": true, "del-header": true, "deny": true, "cache-store": true}

// cacheRule maps http-request cache-use and http-response cache-store. A
// backend's cache-use serves its hits through the backend's http-response
// rules, then those of the frontend the request came through (any
// frontend may route there): all of them must be ones a hit goes through
// in goha. Beside compression (proxy/cache_comp.go, cache_store.go), a
// backend's cache stores no response a frontend compresses and what the
// server sent under its own compression, its hits compressed by either;
// its cache rules are refused where both the backend and a frontend that
// may route to it compress (not measured: which filter compresses).
func (b *builder) cacheRule(px *haproxy.Proxy, r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	var c *cache.Cache
	for _, x := range b.plan.Caches {
		if len(r.Args) > 0 && x.Name() == r.Args[0] {
			c = x
		}
	}
	if c == nil || len(r.Args) != 1 {
		b.unsupported(r.Pos, kw+" "+r.Action+" arguments")
		return proxy.HeaderRule{}, false
	}
	lists := [][]haproxy.HTTPRule{px.HTTPResponseRules}
	if px.Kind == "backend" {
		if d := px.Def; d != nil && d.Name != "" {
			lists = append(lists, d.HTTPResponseRules)
		}
		for _, fe := range b.cfg.Proxies {
			if fe.Cap&haproxy.CapFrontend != 0 && !fe.Disabled && fe.Mode == "http" {
				lists = append(lists, fe.HTTPResponseRules)
				if (fe.Compression != nil || fe.CompressionFilter) && (px.Compression != nil || px.CompressionFilter) && mayRouteTo(fe, px.Name) {
					b.unsupported(r.Pos, kw+" "+r.Action+" in a backend with compression a frontend with compression may route to")
					return proxy.HeaderRule{}, false
				}
			}
		}
	}
	if r.Action == "cache-use" {
		for _, l := range lists {
			for _, rr := range l {
				if !hitRuleActions[rr.Action] {
					b.unsupported(r.Pos, kw+" "+r.Action+" with http-response "+rr.Action)
					return proxy.HeaderRule{}, false
				}
			}
		}
		return proxy.HeaderRule{Action: proxy.CacheUse, Cache: c}, true
	}
	return proxy.HeaderRule{Action: proxy.CacheStore, Cache: c}, true
}

// mayRouteTo says whether frontend fe may send a request to backend name:
// its default_backend, or a use_backend naming it or naming a backend by
// a log-format (any one).
func mayRouteTo(fe *haproxy.Proxy, name string) bool {
	if fe.DefaultBack == name {
		return true
	}
	for _, u := range fe.UseBackends {
		if u.Backend == name || strings.Contains(u.Backend, "%[") {
			return true
		}
	}
	return false
}
