package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

const weightScale = balance.WeightScale

// WarmupFactor is HAProxy's slow-start factor (server_recalc_eweight) for
// a server up since since, with `slowstart` ss, read at now: the server
// weighs weight*factor/16, the factor going from 1 at the start to 16.
// Both times count in whole seconds, as HAProxy's last_change and
// now.tv_sec do. done says the ramp is over (the factor is then 16); a
// clock gone backwards ends it too.
func WarmupFactor(since, now time.Time, ss time.Duration) (factor int, done bool) {
	secs := slowstartSecs(ss)
	start, cur := since.Unix(), now.Unix()
	if secs <= 0 || cur < start || cur >= start+secs {
		return weightScale, true
	}
	return int((weightScale*(cur-start) + secs) / secs), false
}

// slowstartSecs is `slowstart` as HAProxy keeps it: whole seconds,
// rounded up.
func slowstartSecs(ss time.Duration) int64 {
	return int64((ss + time.Second - time.Millisecond) / time.Second)
}

// warmupEvery is how often HAProxy's warmup task recomputes a starting
// server's weight: a twentieth of the slow start, at least every second.
func warmupEvery(ss time.Duration) time.Duration {
	if d := ss / 20; d > time.Second {
		return d
	}
	return time.Second
}

// warmupStart starts or stops srv's slow start after a status change
// from before (statusMu held): a server becoming usable starts at the
// first step (the factor of its first second), one leaving service
// stops. It reports whether a ramp started, for the caller to schedule
// its ticks once the lock is released.
func (p *Proxy) warmupStart(b *backend, srv *server, before ServerStatus, now time.Time) bool {
	st := &srv.status
	if !st.Usable() {
		st.Warm = 0
		srv.warmSince.Store(0)
		return false
	}
	if srv.cfg.Slowstart <= 0 || before.Usable() {
		return false
	}
	st.Warm = weightScale
	if b.cfg.Balance.Dynamic() {
		st.Warm, _ = WarmupFactor(st.Changed, now, srv.cfg.Slowstart)
	}
	srv.warmGen++
	srv.warmSince.Store(st.Changed.Unix())
	return true
}

// scheduleWarmup runs srv's next warmup tick, as HAProxy's warmup task.
func (p *Proxy) scheduleWarmup(b *backend, srv *server) {
	p.statusMu.Lock()
	gen := srv.warmGen
	p.statusMu.Unlock()
	time.AfterFunc(warmupEvery(srv.cfg.Slowstart), func() { p.warmupTick(b, srv, gen) })
}

// warmupTick recomputes a starting server's weight; at the end of the
// ramp the server is fully up, which HAProxy counts as a state change
// (lastchg restarts) and logs as "is UP" (Options.WarmedUp).
func (p *Proxy) warmupTick(b *backend, srv *server, gen uint64) {
	if p.closing.Load() {
		return
	}
	p.statusMu.Lock()
	st := &srv.status
	if srv.warmGen != gen || st.Warm == 0 {
		p.statusMu.Unlock()
		return
	}
	now := time.Now()
	factor, done := WarmupFactor(st.Changed, now, srv.cfg.Slowstart)
	if done {
		st.Warm, st.Changed = 0, now
		srv.warmSince.Store(0)
	} else if b.cfg.Balance.Dynamic() {
		st.Warm = factor
	}
	weight := st.EffectiveWeight()
	b.mu.Lock()
	srv.bal.Weight = weight
	b.bal.Update()
	b.mu.Unlock()
	p.statusMu.Unlock()
	if !done {
		time.AfterFunc(warmupEvery(srv.cfg.Slowstart), func() { p.warmupTick(b, srv, gen) })
		return
	}
	if p.opt.WarmedUp != nil {
		p.opt.WarmedUp(b.cfg.Name, srv.cfg.Name)
	}
}
