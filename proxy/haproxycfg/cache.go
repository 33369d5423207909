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

// cacheRule maps http-request cache-use and http-response cache-store. A
// backend's cache-use serves its hits through the backend's http-response
// rules, then those of the frontend the request came through (any
// frontend may route there): all of them must be ones a hit goes through
// in goha; a backend's cache rules are refused where compression may
// apply (goha compresses only a frontend's own hits, cache_comp.go, and
// its storing beside a backend's compression is measured only for
// frontends and listens).
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
				if fe.Compression != nil || fe.CompressionFilter {
					b.unsupported(r.Pos, kw+" "+r.Action+" in a backend a frontend with compression may route to")
					return proxy.HeaderRule{}, false
				}
			}
		}
		if px.Compression != nil || px.CompressionFilter {
			b.unsupported(r.Pos, kw+" "+r.Action+" in a backend with compression")
			return proxy.HeaderRule{}, false
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
