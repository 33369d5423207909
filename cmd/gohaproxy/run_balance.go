package main

import (
	"fmt"
	"sync"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

// balancerFactory adapts balance.New to proxy.BalancerFactory, which has
// no room for per-backend options: proxy.New calls it once per backend in
// configuration order, so the n-th call gets the n-th backend's spec.
func balancerFactory(plan *haproxycfg.Plan) proxy.BalancerFactory {
	var mu sync.Mutex
	next := 0
	return func(algo string, args []string, servers []*balance.Server) (balance.Balancer, error) {
		mu.Lock()
		i := next
		next++
		mu.Unlock()
		if i >= len(plan.Proxy.Backends) {
			return nil, fmt.Errorf("balancer asked for more backends than configured")
		}
		spec := plan.Balance[plan.Proxy.Backends[i].Name]
		return balance.New(spec.Algorithm, spec.Args, servers, spec.Options)
	}
}
