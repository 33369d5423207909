package main

import (
	"fmt"
	"sync"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/wire"
)

// balancerFactory adapts the balancer to proxy.BalancerFactory, which has
// no room for per-backend options: proxy.New calls it once per backend in
// configuration order, so the n-th call gets the n-th backend's spec.
func balancerFactory(plan *wire.Plan) proxy.BalancerFactory {
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
		return newBalancer(spec, servers)
	}
}

// newBalancer builds a backend's balancer. Until proxy/balance's
// algorithms land this is a weighted-less round robin over active servers.
func newBalancer(spec wire.BalanceSpec, servers []*balance.Server) (balance.Balancer, error) {
	if spec.Algorithm != "roundrobin" && spec.Algorithm != "static-rr" {
		return nil, fmt.Errorf("balance %s not supported yet", spec.Algorithm)
	}
	return &roundRobin{servers: servers}, nil
}

type roundRobin struct {
	mu      sync.Mutex
	servers []*balance.Server
	next    int
}

func (b *roundRobin) Pick(*balance.Request) *balance.Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.servers {
		s := b.servers[b.next%len(b.servers)]
		b.next++
		if s.Up && !s.Backup && s.Weight > 0 {
			return s
		}
	}
	return nil
}

func (b *roundRobin) Update() {}
