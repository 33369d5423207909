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

// cacheRule maps http-request cache-use and http-response cache-store.
// HAProxy compresses what its cache serves and stores what precedes the
// compression; goha's compression is not run on cache hits, so a cache
// rule in a configuration that compresses is refused.
func (b *builder) cacheRule(r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
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
	for _, px := range b.cfg.Proxies {
		if px.Compression != nil || px.CompressionFilter {
			b.unsupported(r.Pos, kw+" "+r.Action+" in a configuration with compression")
			return proxy.HeaderRule{}, false
		}
	}
	for _, px := range b.cfg.Defaults {
		if px.Compression != nil {
			b.unsupported(r.Pos, kw+" "+r.Action+" in a configuration with compression")
			return proxy.HeaderRule{}, false
		}
	}
	if r.Action == "cache-use" {
		return proxy.HeaderRule{Action: proxy.CacheUse, Cache: c}, true
	}
	return proxy.HeaderRule{Action: proxy.CacheStore, Cache: c}, true
}
