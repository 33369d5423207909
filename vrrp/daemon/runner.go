package daemon

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// Options configure a Runner.
type Options struct {
	Edge Edge
	// Log receives every log line, in keepalived's words.
	Log func(string)
	// Detail is -D/--log-detail: also log each gratuitous ARP / NA sent.
	Detail bool
	// Now is the monotonic clock as an offset; nil: time since Run started.
	Now func() time.Duration
}

// Runner runs the vrrp instances of a Config: it owns the state machines
// and performs their actions through an Edge. All state belongs to one loop
// goroutine (Run); other goroutines (socket readers, script checks, link
// watch, signal handlers) talk to it through the events channel.
type Runner struct {
	opts   Options
	edge   Edge
	cfg    *Config
	now    func() time.Duration
	events chan any
	exited chan struct{} // closed when Run returns

	insts   []*inst
	byName  map[string]*inst
	groups  map[string]*group
	conns   map[ConnSpec]*connState
	addrs   map[string]AddrSet
	anns    map[string]Announcer
	garps   map[garpKey]*garpQueue
	fw      Firewall
	fwAddrs map[string]int // VIP → number of instances that put it in the drop set

	staticSet bool // static_* installed
	// startupEnd is when vrrp_startup_delay ends (0: no delay); delayBegun
	// says whether it was set (only the first start is delayed, as keepalived).
	startupEnd time.Duration
	delayBegun bool
	// promoted: interfaces whose promote_secondaries gokeepalived set
	// (true: it was 0 and is put back on stop).
	promoted map[string]bool
	linkUp   map[string]bool
	scripts  map[string]*scriptState
	files    map[string]int // track_file values
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
	readers  sync.WaitGroup
}

// inst is one running vrrp_instance.
type inst struct {
	spec   InstanceSpec
	m      *vrrp.Instance
	conn   *connState
	timers [vrrp.TimerGarpLowerPrio + 1]time.Duration // armed deadline, -1 idle
	group  *group
	idx    int // index in group.sg.Members

	lastTransition time.Time // wall clock of the last state change (JSON dump)

	pending   bool // waiting for its scripts' first results
	stripInit bool // log the first state without "(init)"

	routesSet bool // virtual_routes/rules installed (MASTER)
	deleted   bool // removed by a reload whose file no longer has it
	delta     int  // last TrackChanged sent
	fault     bool
	buf       []byte
	sendErr   uint64

	// Counted for the metrics exporter (snapshot.go) only.
	transitions uint64 // state changes
	garpsSent   uint64 // gratuitous ARPs / unsolicited NAs that left
}

type group struct {
	spec  SyncGroupSpec
	sg    *vrrp.SyncGroup
	insts []*inst
	state vrrp.State // last state notified for the group
}

// connState is one advert socket shared by the instances of a ConnSpec.
type connState struct {
	spec    ConnSpec
	c       Conn
	insts   []*inst
	closed  atomic.Bool
	unknown uint64 // adverts for a VRID no instance on this socket runs
}

// Events posted to the loop.
type (
	rxEvent struct {
		cs      *connState
		payload []byte
		meta    RxMeta
	}
	scriptEvent struct {
		name string
		rc   int
	}
	fileEvent struct {
		name  string
		value int
	}
	ctrlEvent struct {
		fn   func(now time.Duration)
		done chan struct{}
	}
)

// New prepares a runner; nothing is opened before Run.
func New(cfg *Config, o Options) *Runner {
	if o.Log == nil {
		o.Log = func(string) {}
	}
	return &Runner{
		opts: o, edge: o.Edge, cfg: cfg, now: o.Now,
		events:  make(chan any, 256),
		exited:  make(chan struct{}),
		byName:  map[string]*inst{},
		groups:  map[string]*group{},
		conns:   map[ConnSpec]*connState{},
		addrs:   map[string]AddrSet{},
		anns:    map[string]Announcer{},
		garps:   map[garpKey]*garpQueue{},
		fwAddrs: map[string]int{},
		linkUp:  map[string]bool{},
		scripts: map[string]*scriptState{},
		files:   map[string]int{},

		promoted: map[string]bool{},
	}
}

func (r *Runner) logf(format string, args ...any) { r.opts.Log(fmt.Sprintf(format, args...)) }

// Run starts every instance and runs until ctx is done, then stops them as
// keepalived does on SIGTERM (priority-0 adverts, VIPs and rules removed).
func (r *Runner) Run(ctx context.Context) error {
	defer close(r.exited)
	if r.now == nil {
		start := time.Now()
		r.now = func() time.Duration { return time.Since(start) }
	}
	bgCtx, cancel := context.WithCancel(context.Background())
	r.bgCancel = cancel
	if err := r.setup(bgCtx); err != nil {
		cancel()
		r.closeAll()
		r.teardownHost()
		return err
	}
	r.beginStartupDelay(r.now())
	r.logf("Startup complete")
	r.startAll(r.now())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if d, ok := r.nextDeadline(); ok {
			timer.Reset(max(d-r.now(), 0))
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case ev := <-r.events:
			r.handle(ev, r.now())
		case <-timer.C:
			r.fireDue(r.now())
		case <-ctx.Done():
			r.stop(r.now())
			return nil
		}
	}
}

// do runs fn on the loop goroutine and waits for it; once Run has
// returned it does nothing.
func (r *Runner) do(fn func(now time.Duration)) {
	done := make(chan struct{})
	select {
	case r.events <- ctrlEvent{fn: fn, done: done}:
	case <-r.exited:
		return
	}
	select {
	case <-done:
	case <-r.exited:
	}
}

// setup opens the sockets, reads link states and starts the watchers.
func (r *Runner) setup(ctx context.Context) error {
	for _, n := range r.cfg.Notices {
		r.logf("%s", n)
	}
	if r.anyNoAccept() {
		r.logf("use_vmac or no_accept/strict specified, but no firewall configured - using nftables")
	}
	if r.cfg.NotifyFIFO != "" {
		if err := r.edge.OpenFIFO(r.cfg.NotifyFIFO); err != nil {
			r.logf("%v", err)
		}
	}
	r.setStatic()
	r.staticSet = true
	for _, spec := range r.cfg.Instances {
		if _, err := r.addInstance(spec); err != nil {
			return err
		}
	}
	r.buildGroups()
	if err := r.watchLinks(ctx); err != nil {
		return err
	}
	r.startTrackers(ctx)
	return nil
}

func (r *Runner) anyNoAccept() bool {
	for _, in := range r.cfg.Instances {
		if in.NoAccept || in.VMAC != nil {
			return true
		}
	}
	return false
}

// addInstance creates an instance and attaches it to its socket.
func (r *Runner) addInstance(spec InstanceSpec) (*inst, error) {
	if spec.VMAC != nil {
		if err := r.createVMAC(&spec); err != nil {
			return nil, fmt.Errorf("(%s) %w", spec.Name, err)
		}
	}
	cs, err := r.conn(connSpecOf(&spec))
	if err != nil {
		if spec.VMAC != nil {
			r.deleteVMAC(&spec)
		}
		return nil, fmt.Errorf("(%s) %w", spec.Name, err)
	}
	r.promoteSecondaries(&spec)
	if spec.NoPeerFault {
		r.logf("(%s) Cannot use unicast without any peers - going to fault state", spec.Name)
	}
	in := &inst{spec: spec, m: vrrp.NewInstance(spec.InstanceConfig), conn: cs}
	for k := range in.timers {
		in.timers[k] = -1
	}
	cs.insts = append(cs.insts, in)
	r.insts = append(r.insts, in)
	r.byName[spec.Name] = in
	return in, nil
}

func connSpecOf(s *InstanceSpec) ConnSpec {
	cs := ConnSpec{Interface: s.Interface, IPv6: s.IPv6, Src: s.SrcAddr}
	if s.VMAC != nil && s.VMAC.XmitBase {
		// vmac_xmit_base: keepalived's socket is on the parent (sockpool
		// ifindex of the base interface), adverts carry its MAC.
		cs.Interface = s.VMAC.Parent
	}
	if len(s.UnicastPeers) > 0 {
		cs.Unicast = true
	} else {
		cs.Group = s.Group
	}
	return cs
}

// conn returns the shared socket for spec, opening it and its reader.
func (r *Runner) conn(spec ConnSpec) (*connState, error) {
	if cs := r.conns[spec]; cs != nil {
		return cs, nil
	}
	c, err := r.edge.Listen(spec)
	if err != nil {
		return nil, err
	}
	cs := &connState{spec: spec, c: c}
	r.conns[spec] = cs
	r.readers.Add(1)
	go r.read(cs)
	return cs, nil
}

// read feeds received adverts to the loop until the socket is closed.
func (r *Runner) read(cs *connState) {
	defer r.readers.Done()
	for {
		b, m, err := cs.c.Recv()
		if err != nil {
			if cs.closed.Load() {
				return
			}
			r.logf("VRRP receive error on %s: %v", cs.spec.Interface, err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		r.events <- rxEvent{cs: cs, payload: slices.Clone(b), meta: m}
	}
}

func (r *Runner) closeConn(cs *connState) {
	cs.closed.Store(true)
	cs.c.Close()
	delete(r.conns, cs.spec)
}

// buildGroups (re)creates the sync groups from the configuration.
func (r *Runner) buildGroups() {
	r.groups = map[string]*group{}
	for _, in := range r.insts {
		in.group = nil
	}
	for _, gs := range r.cfg.SyncGroups {
		g := &group{spec: gs, sg: &vrrp.SyncGroup{Name: gs.Name}}
		for _, name := range gs.Members {
			in := r.byName[name]
			if in == nil {
				continue
			}
			in.group, in.idx = g, len(g.insts)
			g.insts = append(g.insts, in)
			g.sg.Members = append(g.sg.Members, in.m)
		}
		if len(g.insts) > 0 {
			r.groups[gs.Name] = g
		}
	}
}

// startAll starts every instance: link state first (an instance whose link
// is down starts in FAULT), then trackers, then Start.
func (r *Runner) startAll(now time.Duration) {
	r.beginStartupDelay(now)
	for _, in := range r.insts {
		r.startInstance(in, now)
	}
}

func (r *Runner) startInstance(in *inst, now time.Duration) {
	if r.scriptsPending(in) {
		// keepalived keeps an instance in INIT until each tracked script
		// has reported once (scriptResult starts it).
		in.pending = true
		return
	}
	if up, ok := r.linkUp[in.spec.Interface]; ok && !up {
		r.step(in, vrrp.InterfaceDown{Now: now})
	}
	r.retrack(in, now)
	r.step(in, vrrp.Start{Now: now})
	r.delayMasterDown(in, now)
}

// beginStartupDelay starts vrrp_startup_delay's window, once per Run.
func (r *Runner) beginStartupDelay(now time.Duration) {
	if r.delayBegun {
		return
	}
	r.delayBegun = true
	if d := r.cfg.StartupDelay; d > 0 {
		r.startupEnd = now + d
		r.logf("Delaying startup for %g seconds", d.Seconds())
	}
}

// delayMasterDown applies vrrp_startup_delay to an instance started inside
// the window: keepalived 2.2.7 enters BACKUP at once (adverts are received
// and reset the timer as usual) but arms the first master-down timer from
// the end of the delay (seen in a namespace: MASTER after delay + 3 adverts
// + skew).
func (r *Runner) delayMasterDown(in *inst, now time.Duration) {
	at := in.timers[vrrp.TimerMasterDown]
	if now >= r.startupEnd || at < 0 || in.m.State() != vrrp.StateBackup {
		return
	}
	in.timers[vrrp.TimerMasterDown] = at + r.startupEnd - now
}

// scriptsPending says whether a tracked script has not reported yet.
func (r *Runner) scriptsPending(in *inst) bool {
	for _, t := range in.spec.TrackScripts {
		if st := r.scripts[t.Name]; st != nil && !st.known {
			return true
		}
	}
	return false
}

// startDeferred starts an instance whose scripts have all reported. Its
// first state is then logged without "(init)", as keepalived does.
func (r *Runner) startDeferred(in *inst, now time.Duration) {
	in.pending = false
	if up, ok := r.linkUp[in.spec.Interface]; ok && !up {
		r.step(in, vrrp.InterfaceDown{Now: now})
	}
	r.retrack(in, now)
	in.stripInit = true
	r.step(in, vrrp.Start{Now: now})
	in.stripInit = false
	r.delayMasterDown(in, now)
}

// handle processes one event on the loop goroutine.
func (r *Runner) handle(ev any, now time.Duration) {
	switch e := ev.(type) {
	case rxEvent:
		r.receive(e, now)
	case LinkEvent:
		r.link(e, now)
	case scriptEvent:
		r.scriptResult(e, now)
	case fileEvent:
		r.fileValue(e, now)
	case ctrlEvent:
		e.fn(now)
		close(e.done)
	}
}

// receive demultiplexes an advert to the instance of its VRID.
func (r *Runner) receive(e rxEvent, now time.Duration) {
	if e.cs.closed.Load() {
		return
	}
	vrid, ok := vrrp.PeekVRID(e.payload)
	for _, in := range e.cs.insts {
		if ok && in.spec.VRID == vrid {
			r.step(in, vrrp.AdvertReceived{Now: now, Payload: e.payload, Src: e.meta.Src, Dst: e.meta.Dst, TTL: e.meta.TTL})
			return
		}
	}
	if len(e.cs.insts) > 0 && ok {
		// Let the first instance's checks count and log what is not ours
		// only when the VRID is unknown on this socket.
		e.cs.unknown++
	}
}

// link feeds an interface change to the instances on it and to trackers.
func (r *Runner) link(e LinkEvent, now time.Duration) {
	old, known := r.linkUp[e.Name]
	r.linkUp[e.Name] = e.Up
	if known && old == e.Up {
		return
	}
	state := "down"
	if e.Up {
		state = "up"
	}
	r.logf("Netlink reports %s %s", e.Name, state)
	for _, in := range r.insts {
		if in.spec.Interface == e.Name {
			if e.Up {
				r.step(in, vrrp.InterfaceUp{Now: now})
			} else {
				r.step(in, vrrp.InterfaceDown{Now: now})
			}
		}
		for _, t := range in.spec.TrackInterfaces {
			if t.Name == e.Name {
				r.retrack(in, now)
				break
			}
		}
	}
}

// step delivers ev to an instance (through its sync group) and performs
// the resulting actions.
func (r *Runner) step(in *inst, ev vrrp.Event) {
	if in.group == nil {
		before := in.m.State()
		r.perform(in, in.m.Step(ev))
		if in.m.State() != before {
			in.lastTransition = time.Now()
			in.transitions++
		}
		return
	}
	g := in.group
	before := make([]vrrp.State, len(g.insts))
	for k, m := range g.insts {
		before[k] = m.m.State()
	}
	for _, ma := range g.sg.Step(in.idx, ev) {
		r.perform(g.insts[ma.Member], ma.Actions)
	}
	for k, m := range g.insts {
		if m.m.State() != before[k] {
			m.lastTransition = time.Now()
			m.transitions++
		}
	}
	r.groupNotify(g)
}

// fireDue delivers every timer expired at now, then drains GARP queues.
func (r *Runner) fireDue(now time.Duration) {
	for range 64 { // a machine re-arming in the past cannot spin forever
		fired := false
		for _, in := range r.insts {
			for k := range in.timers {
				if at := in.timers[k]; at >= 0 && at <= now {
					in.timers[k] = -1
					fired = true
					r.step(in, vrrp.TimerExpired{Now: now, Kind: vrrp.TimerKind(k)})
				}
			}
		}
		if !fired {
			break
		}
	}
	r.drainGarps(now)
}

// nextDeadline is the earliest armed timer or queued GARP.
func (r *Runner) nextDeadline() (time.Duration, bool) {
	var best time.Duration
	ok := false
	take := func(t time.Duration) {
		if !ok || t < best {
			best, ok = t, true
		}
	}
	for _, in := range r.insts {
		for _, at := range in.timers {
			if at >= 0 {
				take(at)
			}
		}
	}
	for _, q := range r.garps {
		if t, has := q.next(); has {
			take(t)
		}
	}
	return best, ok
}

// stop is SIGTERM: every instance shut down, then sockets and firewall closed.
func (r *Runner) stop(now time.Duration) {
	r.logf("Stopping")
	for _, in := range r.insts {
		r.step(in, vrrp.Shutdown{Now: now})
	}
	r.drainGarps(now)
	r.closeAll()
	r.teardownHost()
	r.logf("Stopped")
}

// teardownHost removes the VMACs and the static addresses, routes and
// rules once the sockets are closed (keepalived's last stop steps).
func (r *Runner) teardownHost() {
	vmacs := false
	for _, in := range r.insts {
		if in.spec.VMAC != nil {
			r.deleteVMAC(&in.spec)
			vmacs = true
		}
	}
	if vmacs {
		if err := r.edge.CloseVMACRules(); err != nil {
			r.logf("nftables: removing the VMAC rules: %v", err)
		}
	}
	if r.staticSet {
		r.clearStatic(r.cfg)
		r.staticSet = false
	}
	r.restorePromoteSecondaries()
	if r.cfg.NotifyFIFO != "" {
		r.edge.CloseFIFOs()
	}
}

func (r *Runner) closeAll() {
	if r.bgCancel != nil {
		r.bgCancel()
	}
	for _, cs := range r.conns {
		r.closeConn(cs)
	}
	if r.fw != nil {
		if err := r.fw.Close(); err != nil {
			r.logf("nftables: removing table %s: %v", r.cfg.FirewallTable, err)
		}
		r.fw = nil
	}
	// Drain events posted by goroutines that are exiting.
	done := make(chan struct{})
	go func() { r.readers.Wait(); r.bg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case ev := <-r.events:
			if c, ok := ev.(ctrlEvent); ok {
				close(c.done)
			}
		}
	}
}
