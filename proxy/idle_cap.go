package proxy

// HAProxy 2.6 sets no per-server bound on idle server connections unless
// pool-max-conn gives one: a connection left by its request joins the
// pool while the process's descriptors in use stay under
// tune.pool-high-fd-ratio (25%) of maxsock, about twice the global
// maxconn (global.tune.pool_high_count), and the pool's estimate of the
// connections needed allows it (idleNeed.keep). goha bounds each
// server's pool by that count: with a global maxconn of 5000, 2500 idle
// connections, where a fixed bound of 256 closed about one server
// connection in ten under 512 concurrent HTTP/2 streams (h2load -c16
// -m32), each then dialled again by a later request; HAProxy dialled
// none. Without a global maxconn the bound stays maxIdlePerServer.

// poolHighRatio is tune.pool-high-fd-ratio's default.
const poolHighRatio = 25

// idleCap is the most idle connections one server keeps for a process
// with global maxconn maxConn (0: unlimited): HAProxy's pool_high_count
// for a maxsock of two descriptors per connection, never under
// maxIdlePerServer.
func idleCap(maxConn int) int {
	if maxConn <= 0 {
		return maxIdlePerServer
	}
	return max(maxIdlePerServer, (2*maxConn*poolHighRatio+99)/100)
}
