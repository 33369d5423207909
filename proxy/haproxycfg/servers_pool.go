package haproxycfg

import (
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// serverPool applies the server options that bound its connection pool:
// pool-max-conn, max-reuse and pool-purge-delay.
func serverPool(s *haproxy.Server, sv *proxy.Server) {
	if v, ok := s.Other["pool-max-conn"]; ok {
		n, _ := strconv.Atoi(v) // -1 (unlimited): goha's bound
		sv.NoIdle, sv.IdleMax = n == 0, max(n, 0)
	}
	if v, ok := s.Other["max-reuse"]; ok {
		n, _ := strconv.Atoi(v) // read with atoi by the parser; negative: no limit
		sv.StreamLimit = max(n+1, 0)
	}
	if v, ok := s.Other["pool-purge-delay"]; ok {
		d, _, _ := haproxy.ParseTime(v) // checked by the parser
		sv.PurgeDelay = d
		if d == 0 {
			sv.PurgeDelay = -1
		}
	}
}

// reuseMode maps `http-reuse` (absent: safe, HAProxy's default).
func reuseMode(w string) proxy.ReuseMode {
	switch w {
	case "never":
		return proxy.ReuseNever
	case "aggressive":
		return proxy.ReuseAggressive
	case "always":
		return proxy.ReuseAlways
	}
	return proxy.ReuseSafe
}
