package check

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Target is one server with `check`.
type Target struct {
	Backend, Server string
	Backup          bool
	// Addr is where the check connects: the server's address with `addr`
	// and `port` applied (see CheckAddr).
	Addr       string
	Rise, Fall int // >= 1 (proxy/haproxycfg fills HAProxy's defaults)
	Intervals
	// Timeouts of each check (CheckTimeouts); both must be set.
	Timeouts Timeouts
	Prober   Prober
	// LogHealthChecks is the backend's `option log-health-checks`.
	LogHealthChecks bool
	// Disabled starts the target in maintenance (`disabled`): HAProxy runs
	// no check until the server leaves maintenance (SetMaintenance).
	Disabled bool
	// SendState is the backend's `http-check send-state`: each check
	// carries the X-Haproxy-Server-State header (send_state.go).
	SendState bool
	// Agent marks the server's agent-check (AgentProbe, rise and fall 1):
	// only the agent's health words move its health, maintenance does not
	// pause it, and RunnerOptions.Agent applies the rest of its answers.
	Agent bool
	// Observe, ErrorLimit (>= 1) and OnError are the server's `observe`,
	// `error-limit` and `on-error` (Runner.Analyze).
	Observe    ObserveMode
	ErrorLimit int
	OnError    OnError
}

// Event is a transition of a target: UP, DOWN, or (Up and Drain) the
// "stopping" state of `http-check disable-on-404`, where the server stays
// up for existing traffic but takes no new requests (weight 0).
type Event struct {
	Target *Target
	Up     bool
	Drain  bool
	Result Result // the check that caused it
	Health Health
}

// RunnerOptions are the runner's collaborators; all may be nil.
type RunnerOptions struct {
	Clock Clock // nil = RealClock
	// Apply is called on each transition before it is logged, so that the
	// data path (proxy.UpdateServer) already reflects it when Counts runs.
	Apply func(Event)
	// Counts reports the backend after a transition of server; nil counts
	// the runner's own targets of that backend that are UP.
	Counts func(backend, server string) BackendCounts
	// Log receives HAProxy's messages in order.
	Log func(Line)
	// SpreadChecks is the global `spread-checks` percentage (0..50): each
	// interval is moved by a random amount within +/- that share.
	SpreadChecks int
	// MaxSpreadChecks is the global `max-spread-checks`: the first checks
	// are spread over at most this long (0: no limit).
	MaxSpreadChecks time.Duration
	// Rand returns uniform values in [0,1) for SpreadChecks; nil uses
	// math/rand/v2.
	Rand func() float64
	// Agent applies an agent's answer (admin state, weight, maxconn)
	// before its health counts, as HAProxy does, and returns the first
	// warning that gave ("" = none). Called without the runner's lock.
	Agent func(t *Target, r AgentReply) (warn string)
	// Trackers are the servers with `track` (track.go): each takes its
	// tracked server's UP/stopping/DOWN transitions, through Apply and Log.
	Trackers []Tracker
	// TrackState reports a tracking server's state (nil: trackers mirror
	// the server they track, never in maintenance).
	TrackState func(backend, server string) TrackState
	// ServerState is the X-Haproxy-Server-State header's part after the
	// check state, "; address=...", for a target with SendState (nil:
	// no header). Called without the runner's lock.
	ServerState func(t *Target) string
}

// Runner schedules the checks of a set of targets and reports transitions.
type Runner struct {
	opts    RunnerOptions
	states  []*targetState
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex // serialises results, transitions and logging
	wg      sync.WaitGroup
	stopped bool
}

type targetState struct {
	t          *Target
	h          Health
	last       Result
	lastStatus Status
	checked    bool
	timer      Timer
	maint      bool
	disabled   bool      // checks turned off by the stats page (runner_enable.go)
	gen        int       // bumped by SetMaintenance; results of older checks are dropped
	stopping   bool      // UP but draining after a 404 (disable-on-404)
	due        time.Time // when the armed timer fires
	obs        observer  // `observe` (observe.go)
	// createdMaint: the maintenance `add server` created the server in,
	// where its checks run without changing its state (runner_dynamic.go).
	createdMaint bool
	// running: a check is under way (HAProxy's CHK_ST_INPROGRESS).
	running bool
	// maintH is the health HAProxy shows in maintenance (maint_check.go).
	maintH Health
	// failed counts the failed checks that took health away (chkfail).
	failed int64
}

// NewRunner prepares the checks; nothing runs before Start. Each target
// carries every value it needs (proxy/haproxycfg fills HAProxy's defaults
// from parser/haproxy's defaults table): a zero rise, fall, interval or
// timeout, a missing prober or an HTTP check without its request line is
// an error, never defaulted here.
func NewRunner(targets []*Target, opts RunnerOptions) (*Runner, error) {
	for _, t := range targets {
		if err := t.validate(); err != nil {
			return nil, fmt.Errorf("health check of %s/%s: %w", t.Backend, t.Server, err)
		}
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	r := &Runner{opts: opts}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for _, t := range targets {
		r.states = append(r.states, &targetState{t: t, h: NewHealth(t.Rise, t.Fall), maint: t.Disabled})
	}
	return r, nil
}

// validate refuses the zero values a target cannot run with.
func (t *Target) validate() error {
	switch {
	case t.Rise < 1 || t.Fall < 1:
		return fmt.Errorf("rise %d and fall %d must be at least 1", t.Rise, t.Fall)
	case t.Inter <= 0 || t.FastInter <= 0 || t.DownInter <= 0:
		return fmt.Errorf("inter %v, fastinter %v and downinter %v must be positive", t.Inter, t.FastInter, t.DownInter)
	case t.Timeouts.Connect <= 0 || t.Timeouts.Total <= 0:
		return fmt.Errorf("check timeouts %+v must be positive", t.Timeouts)
	case t.Prober == nil:
		return errors.New("no prober")
	}
	if p, ok := t.Prober.(HTTPProbe); ok {
		return p.Request.validate()
	}
	return nil
}

// Start schedules every first check, spread as HAProxy's start_checks
// does: check i of n starts after max(mininter, its interval)*i/n, where
// mininter is the smallest current interval of at least one second
// (measured: inters 3s, 3s, 1.2s and 0.9s start at 0, 750, 600, 900 ms),
// that spread capped at max-spread-checks.
func (r *Runner) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var minInter time.Duration
	for _, s := range r.states {
		if in := s.t.Intervals.Next(s.h); in >= time.Second && (minInter == 0 || in < minInter) {
			minInter = in
		}
	}
	n := len(r.states)
	for i, s := range r.states {
		if !s.maint && !s.disabled { // disabled before Start: a state file's `disable health`
			base := max(minInter, s.t.Intervals.Next(s.h))
			if m := r.opts.MaxSpreadChecks; m > 0 && base > m {
				base = m
			}
			r.schedule(s, base*time.Duration(i)/time.Duration(n))
		}
	}
}

// SetMaintenance puts a target into maintenance (checks stop) or takes it
// out. As in HAProxy 2.6, a server leaving maintenance is UP again with a
// fresh health (one failure takes it down) and is checked at once. Apply
// is not called (the caller, who holds its own locks, marks the server's
// check state UP itself) and nothing is logged (the "leaving forced
// maintenance" line belongs to whoever changed the state). It reports
// whether the target exists.
func (r *Runner) SetMaintenance(backend, server string, maint bool) bool {
	ok, checkNow := r.setMaintenance(backend, server, maint)
	checkNow()
	return ok
}

// LeaveMaintenance takes a target out of maintenance as SetMaintenance
// does, but its first check starts only when the caller runs checkNow:
// HAProxy passes the UP state down the tracking chain before that check
// can run, so the caller logs and propagates first.
func (r *Runner) LeaveMaintenance(backend, server string) (ok bool, checkNow func()) {
	return r.setMaintenance(backend, server, false)
}

func (r *Runner) setMaintenance(backend, server string, maint bool) (bool, func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	none := func() {}
	for _, s := range r.states {
		if s.t.Backend != backend || s.t.Server != server || s.t.Agent {
			continue
		}
		if s.maint == maint && !s.createdMaint {
			return true, none
		}
		s.maint, s.createdMaint = maint, false
		if s.timer != nil && s.timer.Stop() {
			r.wg.Done()
		}
		s.timer = nil
		if maint {
			r.pause(s)
			return true, none
		}
		s.gen++
		s.running = false
		s.maintH = Health{}
		s.h = NewHealth(s.h.Rise, s.h.Fall)
		s.checked, s.stopping = false, false
		gen := s.gen
		return true, func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			// nothing changed it since (a new maintenance, a disable)
			if s.gen == gen && !s.maint && !s.disabled && s.timer == nil {
				r.schedule(s, 0)
			}
		}
	}
	return false, none
}

// Stop cancels pending and running checks and waits for them.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	for _, s := range r.states {
		if s.timer != nil && s.timer.Stop() {
			r.wg.Done() // its callback will never run
		}
	}
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

// State returns a target's health and last result (ok=false: unknown).
func (r *Runner) State(backend, server string) (h Health, last Result, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state(backend, server, false)
}

// AgentState returns a server's agent health and last result.
func (r *Runner) AgentState(backend, server string) (h Health, last Result, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state(backend, server, true)
}

func (r *Runner) state(backend, server string, agent bool) (Health, Result, bool) {
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && s.t.Agent == agent {
			if s.maint && !s.t.Agent {
				return s.maintHealth(), s.last, true
			}
			return s.h, s.last, true
		}
	}
	return Health{}, Result{}, false
}

// schedule arms s's next check; r.mu is held.
func (r *Runner) schedule(s *targetState, d time.Duration) {
	if r.stopped {
		return
	}
	r.wg.Add(1)
	gen := s.gen
	s.due = r.opts.Clock.Now().Add(d)
	s.timer = r.opts.Clock.AfterFunc(d, func() {
		defer r.wg.Done()
		r.run(s, gen)
	})
}

func (r *Runner) run(s *targetState, gen int) {
	if r.ctx.Err() != nil {
		return
	}
	t := s.t
	r.mu.Lock()
	// `set server ... addr|check-port|agent-*` change them (runner_runtime.go)
	addr, prober := t.Addr, t.Prober
	if s.gen == gen {
		s.running = true
	}
	words := s.h.StateWords(s.stopping)
	r.mu.Unlock()
	ctx := r.ctx
	if t.SendState && r.opts.ServerState != nil {
		ctx = withServerState(ctx, words+r.opts.ServerState(t))
	}
	res := prober.Probe(ctx, addr, t.Timeouts)
	if r.ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	stale := s.gen != gen // turned off or into maintenance meanwhile
	r.mu.Unlock()
	warn := ""
	if res.Agent != nil && !res.Agent.Incomplete && r.opts.Agent != nil && !stale {
		warn = r.opts.Agent(t, *res.Agent)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if res.Agent != nil {
		res = res.Agent.Result(warn, s.last.Status, res.Duration)
	}
	if s.gen != gen {
		return // maintenance changed while the check ran
	}
	s.running = false
	if s.maint && !s.disabled {
		r.recordPaused(s, res)
	}
	if s.maint || s.disabled {
		return
	}
	r.record(s, res)
	r.schedule(s, r.spread(t.Intervals.Next(s.h)))
}

// spread applies spread-checks to an interval the way HAProxy does:
// inter + rv, rv drawn uniformly from [-inter*pct/100, +inter*pct/100].
func (r *Runner) spread(d time.Duration) time.Duration {
	pct := min(r.opts.SpreadChecks, 50)
	if pct <= 0 {
		return d
	}
	rnd := r.opts.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	rv := d * time.Duration(pct) / 100
	rv -= time.Duration(2 * float64(rv) * rnd())
	return d + rv
}

// count applies a result to the health h of s as HAProxy 2.6's
// set_server_check_status does: it moves h, counts a failed check that
// took health away, logs with log-health-checks and keeps the result;
// r.mu is held. It gives the result as kept and whether h flipped.
func (r *Runner) count(s *targetState, h *Health, res Result) (Result, bool) {
	t := s.t
	if res.Status == L7OKC && res.on404 && !h.Up() {
		// a DOWN server answering 404 is not coming back
		res.Status = L7STS
	}
	if !res.Passed() && h.Value() > 0 {
		// HAProxy counts a failed check that takes health away (a
		// failing agent only with a health word: agentCounts)
		s.failed++
	}
	changed, flipped := h.Observe(res.Passed())
	if t.LogHealthChecks && (changed || !s.checked || res.Status != s.lastStatus) {
		if t.Agent {
			r.log(AgentLine(t.Backend, t.Server, res, *h))
		} else {
			r.log(HealthLine(t.Backend, t.Server, t.Backup, res, *h))
		}
	}
	s.last, s.lastStatus, s.checked = res, res.Status, true
	return res, flipped
}

// record applies a result to s and emits events and log lines; r.mu is
// held.
func (r *Runner) record(s *targetState, res Result) {
	t := s.t
	if t.Agent && !agentCounts(res) {
		// HAProxy logs an agent's result like a check's, but not an
		// answer without a health word (CHECKED)
		if t.LogHealthChecks && res.Status != CHECKED && (!s.checked || res.Status != s.lastStatus) {
			r.log(AgentLine(t.Backend, t.Server, res, s.h))
		}
		s.last, s.lastStatus, s.checked = res, res.Status, true
		return
	}
	res, flipped := r.count(s, &s.h, res)
	if s.createdMaint {
		return // the state changes when the server leaves maintenance
	}
	wasStopping := s.stopping
	s.stopping = s.h.Up() && (res.Status == L7OKC || s.stopping && !flipped && res.Status != L7OK && res.Status != L4OK)
	if !flipped && s.stopping == wasStopping {
		return
	}
	before := TrackState{Up: s.h.Up() != flipped, Stopping: wasStopping}
	ev := Event{Target: t, Up: s.h.Up(), Drain: s.stopping, Result: res, Health: s.h}
	if r.opts.Apply != nil {
		r.opts.Apply(ev)
	}
	c := r.counts(t)
	after := TrackState{Up: ev.Up, Stopping: ev.Drain}
	if t.Agent && r.opts.TrackState != nil {
		// the server's state is its check's and its agent's together
		st := r.opts.TrackState(t.Backend, t.Server)
		after = TrackState{Up: st.Up, Stopping: st.Stopping}
	}
	if tr, ok := r.trackerOf(t); ok {
		// a tracking server's own agent: HAProxy words the change as
		// the tracked server's ("is DOWN via B/S. ...")
		for _, l := range ViaLines(tr, before, TrackState{Up: ev.Up, Stopping: ev.Drain}, c) {
			r.log(l)
		}
		r.propagate(t.Backend, t.Server, before, after, res)
		return
	}
	switch {
	case ev.Drain:
		r.log(StoppingLine(t.Backend, t.Server, t.Backup, res, c, t.LogHealthChecks))
	case ev.Up:
		r.log(UpLine(t.Backend, t.Server, t.Backup, res, c, t.LogHealthChecks))
	default:
		l := DownLine(t.Backend, t.Server, t.Backup, res, c, t.LogHealthChecks)
		if wasStopping {
			l.Severity = Notice // HAProxy does not alert for a server that was already stopping
		}
		r.log(l)
	}
	if (!ev.Up || ev.Drain) && before.usable() && c.Active+c.Backup == 0 {
		// HAProxy tells only when the server was one the backend counted
		r.log(NoServerLine(t.Backend))
	}
	// an agent's transitions pass down the chain as a check's do
	r.propagate(t.Backend, t.Server, before, after, res)
}

// trackerOf finds t's server among the tracking servers (its agent-check).
func (r *Runner) trackerOf(t *Target) (Tracker, bool) {
	for _, tr := range r.opts.Trackers {
		if tr.Backend == t.Backend && tr.Server == t.Server {
			return tr, true
		}
	}
	return Tracker{}, false
}

func (r *Runner) counts(t *Target) BackendCounts {
	if r.opts.Counts != nil {
		return r.opts.Counts(t.Backend, t.Server)
	}
	var c BackendCounts
	for _, s := range r.states {
		if s.t.Backend != t.Backend || !s.h.Up() || s.stopping || s.maint || s.createdMaint {
			continue
		}
		if s.t.Backup {
			c.Backup++
		} else {
			c.Active++
		}
	}
	return c
}

func (r *Runner) log(l Line) {
	if r.opts.Log != nil {
		r.opts.Log(l)
	}
}
