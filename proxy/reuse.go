package proxy

import "time"

// ReuseMode is a backend's `http-reuse`: which requests may go on a
// server connection another request left idle, as HAProxy 2.6 decides
// it (connect_server in backend.c, the muxes' detach).
type ReuseMode uint8

const (
	// ReuseSafe, HAProxy's default: a session's first request never
	// goes on an idle connection it does not own; later ones may.
	ReuseSafe ReuseMode = iota
	// ReuseNever: a connection serves only the session that made it.
	ReuseNever
	// ReuseAggressive: a first request may take a "safe" connection,
	// one that has already carried a session's later request.
	ReuseAggressive
	// ReuseAlways: any request takes any idle connection.
	ReuseAlways
)

// String is the mode as `http-reuse` spells it.
func (m ReuseMode) String() string {
	return [...]string{"safe", "never", "aggressive", "always"}[m]
}

// reuseAllowed says which idle connections of a server's pool a request
// may take: those not yet proven safe (idle) and the safe ones. A
// session's first request under safe takes none (HAProxy's first column
// of its reuse table), under aggressive only a safe one, under always
// any; a later request takes any. Under never nothing is pooled.
func reuseAllowed(m ReuseMode, first bool) (idle, safe bool) {
	switch {
	case m == ReuseNever:
		return false, false
	case !first:
		return true, true
	case m == ReuseAggressive:
		return false, true
	case m == ReuseAlways:
		return true, true
	}
	return false, false
}

// idleNeed is HAProxy's estimate of how many connections a server needs
// (est_need_conns), which bounds its idle pool: a connection a request
// leaves is kept only while the connections in use plus the idle ones
// stay within the larger of those in use and the estimate. The estimate
// rises at once with the connections in use (srv_use_conn) and decays
// toward their peak since the last purge (max_used_conns) at each purge
// (pool-purge-delay): a server whose requests come one by one keeps a
// single idle connection. HAProxy 2.6.12 measured: 512 streams in flight
// for 3 s open 512 server connections for 20000 requests, and `show
// servers conn` gives need_est 512 before any purge.
type idleNeed struct {
	est, maxUsed int
}

// idlePurgeDelay is HAProxy's default pool-purge-delay.
const idlePurgeDelay = 5 * time.Second

// noteUsed records used connections in use after one was taken.
func (n *idleNeed) noteUsed(used int) {
	n.maxUsed = max(n.maxUsed, used)
	n.est = max(n.est, used)
}

// purge is one run of HAProxy 2.6's srv_cleanup_idle_conns for a server
// with idle connections in one thread: it returns how many of them to
// close, half of the excess (rounded up) of the connections in use plus
// idle over the larger of the peak and the estimate, plus the one its
// per-thread share adds; the estimate then moves half way down to the
// peak (never under it) and the peak restarts from what is in use.
// Without idle connections nothing moves.
func (n *idleNeed) purge(used, idle int) int {
	if idle == 0 {
		return 0
	}
	exceed := used + idle - max(n.maxUsed, n.est)
	exceed = exceed/2 + exceed&1
	n.est = max((n.est+n.maxUsed)/2, n.maxUsed)
	n.maxUsed = used
	if exceed <= 0 {
		return 0
	}
	return min(idle, exceed+1)
}

// keep says whether a connection just left by its request joins the idle
// pool: used counts the connections in use, this one included, idle
// those already pooled.
func (n *idleNeed) keep(used, idle int) bool {
	return used+idle <= max(used, n.est)
}

// purgeClock schedules a pool's purge as HAProxy's idle_conn_task does:
// the first connection to go idle arms it one delay ahead, and each run
// that leaves idle connections behind arms it again. The pool's lock
// guards it.
type purgeClock struct {
	t  *time.Timer
	on bool
}

// arm schedules run in d unless a purge is already due. Callers test
// armed first: a method value given as run costs an allocation.
func (c *purgeClock) arm(d time.Duration, run func()) {
	if c.on {
		return
	}
	c.on = true
	if c.t == nil {
		c.t = time.AfterFunc(d, run)
		return
	}
	c.t.Reset(d)
}

// armed: a purge is scheduled.
func (c *purgeClock) armed() bool { return c.on }

// fired marks the scheduled purge as running (called first by run).
func (c *purgeClock) fired() { c.on = false }

// stop cancels a scheduled purge (the pool was emptied).
func (c *purgeClock) stop() {
	if c.t != nil {
		c.t.Stop()
	}
	c.on = false
}

// purgeDelay is a server's pool-purge-delay (0: HAProxy's default).
func purgeDelay(cfg *Server) time.Duration {
	if cfg.PurgeDelay == 0 {
		return idlePurgeDelay
	}
	return cfg.PurgeDelay
}
