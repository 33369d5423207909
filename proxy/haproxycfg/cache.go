package haproxycfg

import (
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

// cacheRule maps http-request cache-use and http-response cache-store
// (in a frontend or listen: the rules of backends are refused whole).
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
	if r.Action == "cache-use" {
		for _, rr := range px.HTTPResponseRules {
			if !hitRuleActions[rr.Action] {
				b.unsupported(r.Pos, kw+" "+r.Action+" with http-response "+rr.Action)
				return proxy.HeaderRule{}, false
			}
		}
		return proxy.HeaderRule{Action: proxy.CacheUse, Cache: c}, true
	}
	return proxy.HeaderRule{Action: proxy.CacheStore, Cache: c}, true
}
