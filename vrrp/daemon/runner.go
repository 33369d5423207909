package daemon

import (
	"context"
	"fmt"
	"net/netip"
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
	// Clock is where every time read and timer of the daemon goes; nil:
	// SystemClock.
	Clock Clock
	// Mail, when set, takes the email alerts instead of the mail server
	// (tests); it is called on the loop goroutine and must not block.
	Mail func(m *MailSpec, subject, body string)
}

// Runner runs the vrrp instances of a Config: it owns the state machines
// and performs their actions through an Edge. All state belongs to one loop
// goroutine (Run); other goroutines (socket readers, script checks, link
// watch, signal handlers) talk to it through the events channel.
type Runner struct {
	opts   Options
	edge   Edge
	cfg    *Config
	clock  Clock
	now    func() time.Duration // monotonic offset since New
	events chan any
	exited chan struct{} // closed when Run returns

	insts  []*inst
	byName map[string]*inst
	groups map[string]*group
	conns  map[ConnSpec]*connState
	addrs  map[string]AddrSet
	anns   map[string]Announcer
	paces  map[string]*garpPace // by physical interface (garp.go)
	// garpWake is when pending announcements are next looked at.
	garpWake    time.Duration
	garpWakeSet bool
	fw          Firewall
	fwAddrs     map[string]int // VIP → number of instances that put it in the drop set

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
	files    map[string]int  // track_file values
	procUp   map[string]bool // vrrp_track_process quorum states
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
	readers  sync.WaitGroup

	// Email alerts in flight (mail.go).
	mails      sync.WaitGroup
	mailSlots  chan struct{}
	mailCtx    context.Context
	mailCancel context.CancelFunc
	stopping   bool // SIGTERM under way: STOP alerts are not delivered
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
	// garpPending: addresses whose announcement waits for its pace;
	// garpOrder: the addresses in VIP order, the order they leave in.
	garpPending map[netip.Addr]bool
	garpOrder   []netip.Addr

	lastMail vrrp.State // the state last mailed (mail.go)
}

type group struct {
	spec     SyncGroupSpec
	sg       *vrrp.SyncGroup
	insts    []*inst
	state    vrrp.State // last state notified for the group
	lastMail vrrp.State // the state last mailed (mail.go)
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
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	clock := o.Clock
	start := clock.Now()
	// every email alert runs under mailCtx, ended by finishMails (mail.go)
	mailCtx, mailCancel := context.WithCancel(context.Background())
	return &Runner{
		opts: o, edge: o.Edge, cfg: cfg, clock: clock,
		mailSlots: make(chan struct{}, maxMails), mailCtx: mailCtx, mailCancel: mailCancel,
		// The state machines count in offsets from one origin; a
		// wall-clock step cannot move a deadline (time.Time keeps the
		// monotonic reading).
		now:     func() time.Duration { return clock.Now().Sub(start) },
		events:  make(chan any, 256),
		exited:  make(chan struct{}),
		byName:  map[string]*inst{},
		groups:  map[string]*group{},
		conns:   map[ConnSpec]*connState{},
		addrs:   map[string]AddrSet{},
		anns:    map[string]Announcer{},
		paces:   map[string]*garpPace{},
		fwAddrs: map[string]int{},
		linkUp:  map[string]bool{},
		scripts: map[string]*scriptState{},
		files:   map[string]int{},
		procUp:  map[string]bool{},

		promoted: map[string]bool{},
	}
}

func (r *Runner) logf(format string, args ...any) { r.opts.Log(fmt.Sprintf(format, args...)) }

// Run starts every instance and runs until ctx is done, then stops them as
// keepalived does on SIGTERM (priority-0 adverts, VIPs and rules removed).
func (r *Runner) Run(ctx context.Context) error {
	defer close(r.exited)
	bgCtx, cancel := context.WithCancel(context.Background())
	r.bgCancel = cancel
	if err := r.setup(bgCtx); err != nil {
		r.mailCancel()
		cancel()
		r.closeAll()
		r.teardownHost()
		return err
	}
	r.beginStartupDelay(r.now())
	r.logf("Startup complete")
	r.startAll(r.now())
	timer := r.clock.NewTimer(time.Hour)
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
		case <-timer.C():
			r.fireDue(r.now())
		case <-ctx.Done():
			r.stop(r.now())
			r.finishMails()
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
	case procEvent:
		r.processQuorum(e, now)
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
			in.lastTransition = r.clock.Now()
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
			m.lastTransition = r.clock.Now()
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
	if r.garpWakeSet {
		take(r.garpWake)
	}
	return best, ok
}
