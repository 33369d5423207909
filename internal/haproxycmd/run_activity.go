package haproxycmd

import (
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// Pools is `show pools`: the data path's buffer pools.
func (s *runtimeSource) Pools() []runtimeapi.Pool {
	var out []runtimeapi.Pool
	for _, p := range proxy.PoolStats() {
		out = append(out, runtimeapi.Pool{Name: p.Name, Size: p.Size, Allocated: p.Allocated, Used: p.Allocated})
	}
	return out
}
