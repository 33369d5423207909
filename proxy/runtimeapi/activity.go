package runtimeapi

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// `show activity`, `show pools` and `show tasks` in HAProxy 2.6's lines
// and field names, with goha's own figures. goha's work runs on Go's
// scheduler, not on threads of its own: a per-thread figure is printed
// whole on thread 1 and 0 on the others; the counters goha has no
// counterpart for (scheduler loops, polling, CPU stalls) read 0.

// activityFields are the lines of `show activity` after date_now, in
// HAProxy 2.6's order.
var activityFields = []string{"ctxsw", "tasksw", "empty_rq", "long_rq", "loops", "wake_tasks", "wake_signal",
	"poll_io", "poll_exp", "poll_drop_fd", "poll_skip_fd", "conn_dead", "stream_calls", "pool_fail", "buf_wait",
	"cpust_ms_tot", "cpust_ms_1s", "cpust_ms_15s", "avg_loop_us", "accepted", "accq_pushed", "accq_full",
	"accq_ring", "fd_takeover"}

func cmdShowActivity(s *Session, _ []string) string {
	info := s.src.Info()
	n := max(info.Nbthread, 1)
	figures := map[string]int64{
		// every connection goha accepted, and every stream it ran (one
		// per request), as HAProxy counts them
		"accepted": info.CumConns, "accq_pushed": info.CumConns, "stream_calls": info.CumReq,
	}
	var b strings.Builder
	now := time.Now()
	fmt.Fprintf(&b, "thread_id: 1 (1..%d)\n", n)
	fmt.Fprintf(&b, "date_now: %d.%06d\n", now.Unix(), now.Nanosecond()/1000)
	for _, f := range activityFields {
		v := figures[f]
		fmt.Fprintf(&b, "%s: %d [ %d%s ]\n", f, v, v, strings.Repeat(" 0", n-1))
	}
	return b.String()
}

// Pool is one of goha's buffer pools as `show pools` lists it.
type Pool struct {
	Name      string // at most 11 characters, as HAProxy cuts them
	Size      int    // bytes per object
	Allocated int64  // objects made
	Used      int64  // objects taken now
}

// PoolSource is a Source with buffer pools.
type PoolSource interface {
	Pools() []Pool
}

func cmdShowPools(s *Session, _ []string) string {
	var pools []Pool
	if ps, ok := s.src.(PoolSource); ok {
		pools = ps.Pools()
	}
	sort.SliceStable(pools, func(i, j int) bool { return pools[i].Size < pools[j].Size })
	var b strings.Builder
	b.WriteString("Dumping pools usage. Use SIGQUIT to flush them.\n")
	var alloc, used int64
	for i, p := range pools {
		name := p.Name
		if len(name) > 11 {
			name = name[:11]
		}
		// the pointer HAProxy prints is the pool's address: goha's are
		// numbered from a heap-like base
		fmt.Fprintf(&b, "  - Pool %s (%d bytes) : %d allocated (%d bytes), %d used (~0 by thread caches), needed_avg %d, 0 failures, 1 users, @0x%x [SHARED]\n",
			name, p.Size, p.Allocated, p.Allocated*int64(p.Size), p.Used, p.Used, 0x55d0000f0000+i*0x100)
		alloc += p.Allocated * int64(p.Size)
		used += p.Used * int64(p.Size)
	}
	fmt.Fprintf(&b, "Total: %d pools, %d bytes allocated, %d used (~0 by thread caches).\n", len(pools), alloc, used)
	return b.String()
}

// cmdShowTasks: goha runs no task scheduler whose run queue could be
// listed; its queue is always empty.
func cmdShowTasks(s *Session, _ []string) string {
	return fmt.Sprintf("Running tasks: 0 (%d threads)\n  function                     places     %%    lat_tot   lat_avg\n", max(s.src.Info().Nbthread, 1))
}
