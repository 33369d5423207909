package daemon

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/goha-lb/goha/vrrp/netio"
)

// procPoll is the rescan interval of /proc where the kernel's process
// events cannot be had (any network namespace but the initial one).
// keepalived 2.2.7 there never learns of a process start or exit; goha
// rescans instead, and says so.
const procPoll = 200 * time.Millisecond

// procEvent is a vrrp_track_process's quorum gained (up) or lost.
type procEvent struct {
	name string
	up   bool
}

// procWatcher counts the processes matching each used vrrp_track_process,
// as keepalived does: a /proc scan, then the kernel's process events (a
// child of a counted process is counted at its fork, a process is checked
// again when it execs or renames itself, and forgotten when it exits).
// A count crossing quorum or quorum_max changes the reported state at
// once, except as fork_delay and terminate_delay say (track_process.c):
// a fork that makes the quorum waits fork_delay, an exit that breaks it
// waits terminate_delay; the opposite change while one waits cancels the
// wait, and an exec or a rename never waits. Owned by one goroutine.
type procWatcher struct {
	root     string
	specs    []TrackProcessSpec
	argv     bool           // some tracker compares command lines
	pids     []map[int]bool // per spec, the matching processes
	reported []bool         // per spec, the state the instances see
	// forkAt, termAt: pending fork_delay / terminate_delay (zero: none).
	forkAt, termAt []time.Time
}

// procChange is what changed a count: its delays differ.
type procChange uint8

const (
	byFork   procChange = iota
	byExec              // an exec or rename that matches now
	byRemove            // an exec or rename that no longer matches
	byExit
)

func newProcWatcher(root string, specs []TrackProcessSpec) *procWatcher {
	n := len(specs)
	w := &procWatcher{root: root, specs: specs, pids: make([]map[int]bool, n), reported: make([]bool, n),
		forkAt: make([]time.Time, n), termAt: make([]time.Time, n)}
	for _, s := range specs {
		w.argv = w.argv || s.CommandLine
	}
	return w
}

// scan counts from scratch and reports the result at once (start,
// reload).
func (w *procWatcher) scan() {
	w.recount()
	for i := range w.specs {
		w.reported[i] = w.specs[i].up(len(w.pids[i]))
		w.forkAt[i], w.termAt[i] = time.Time{}, time.Time{}
	}
}

func (w *procWatcher) recount() {
	for i := range w.pids {
		w.pids[i] = map[int]bool{}
	}
	for _, pid := range listPIDs(w.root) {
		w.check(pid)
	}
}

// rescan counts from scratch and applies the differences as process
// starts and exits (no events, or events lost).
func (w *procWatcher) rescan(now time.Time) {
	before := w.counts()
	w.recount()
	for i, b := range before {
		switch a := len(w.pids[i]); {
		case a > b:
			w.change(i, b, a, byExec, now)
		case a < b:
			w.change(i, b, a, byExit, now)
		}
	}
}

func (w *procWatcher) counts() []int {
	c := make([]int, len(w.pids))
	for i := range w.pids {
		c[i] = len(w.pids[i])
	}
	return c
}

// check reads one process again (a new program) and updates every set.
func (w *procWatcher) check(pid int) {
	p, ok := readProc(w.root, pid, w.argv)
	for i := range w.specs {
		if ok && w.specs[i].matches(p) {
			w.pids[i][pid] = true
		} else {
			delete(w.pids[i], pid)
		}
	}
}

// apply updates the sets for one event, then the states.
func (w *procWatcher) apply(now time.Time, e netio.ProcEvent) {
	before := w.counts()
	var kind procChange
	switch e.Kind {
	case netio.ProcFork:
		kind = byFork
		for i := range w.pids {
			if w.pids[i][e.Parent] {
				w.pids[i][e.PID] = true
			}
		}
	case netio.ProcExec:
		kind = byExec
		w.check(e.PID)
	case netio.ProcComm:
		// A new name concerns the trackers of names only: the command
		// line did not change.
		kind = byExec
		for i, s := range w.specs {
			if s.CommandLine {
				continue
			}
			if s.matches(procInfo{comm: e.Comm}) {
				w.pids[i][e.PID] = true
			} else {
				delete(w.pids[i], e.PID)
			}
		}
	case netio.ProcExit:
		kind = byExit
		for i := range w.pids {
			delete(w.pids[i], e.PID)
		}
	}
	for i, b := range before {
		a := len(w.pids[i])
		if a < b && kind == byExec {
			w.change(i, b, a, byRemove, now)
		} else if a != b {
			w.change(i, b, a, kind, now)
		}
	}
}

// change applies a count change of spec i that happened by kind.
func (w *procWatcher) change(i, before, after int, kind procChange, now time.Time) {
	s := &w.specs[i]
	if s.up(before) == s.up(after) {
		return
	}
	// gain: more processes (fork, exec); otherwise fewer (exit, remove).
	switch {
	case kind == byFork && !w.termAt[i].IsZero(), kind == byExit && !w.forkAt[i].IsZero():
		// The change undoes the one waiting: both are over.
		w.forkAt[i], w.termAt[i] = time.Time{}, time.Time{}
	case kind == byFork && s.ForkDelay > 0:
		w.forkAt[i] = now.Add(s.ForkDelay)
		return
	case kind == byExit && s.TerminateDelay > 0:
		w.termAt[i] = now.Add(s.TerminateDelay)
		return
	case kind == byExec:
		w.termAt[i] = time.Time{}
	case kind == byRemove:
		w.forkAt[i] = time.Time{}
	}
	w.reported[i] = s.up(after)
}

// expire ends the delays due by now: the state is then what the count says.
func (w *procWatcher) expire(now time.Time) {
	for i := range w.specs {
		if f, t := w.forkAt[i], w.termAt[i]; (!f.IsZero() && !f.After(now)) || (!t.IsZero() && !t.After(now)) {
			w.forkAt[i], w.termAt[i] = time.Time{}, time.Time{}
			w.reported[i] = w.specs[i].up(len(w.pids[i]))
		}
	}
}

// next is the earliest pending delay.
func (w *procWatcher) next() (time.Time, bool) {
	var at time.Time
	for i := range w.specs {
		for _, t := range []time.Time{w.forkAt[i], w.termAt[i]} {
			if !t.IsZero() && (at.IsZero() || t.Before(at)) {
				at = t
			}
		}
	}
	return at, !at.IsZero()
}

// up is spec i's state as reported to the instances.
func (w *procWatcher) up(i int) bool { return w.reported[i] }

// procRead is one read of the connector.
type procRead struct {
	evs []netio.ProcEvent
	err error
}

// followProcesses counts the used vrrp_track_process now (the instances
// start from it) and then follows process events, or rescans /proc
// every procPoll where there are none.
func (r *Runner) followProcesses(ctx context.Context, specs []TrackProcessSpec) {
	if len(specs) == 0 {
		return
	}
	w := newProcWatcher("/proc", specs)
	// Subscribed before the scan, so that no process starting in between
	// is missed.
	sub, err := netio.ListenProcEvents()
	if err != nil {
		var pe *netio.ProcEventsError
		if errors.As(err, &pe) {
			r.logf("%s", pe.Text())
		} else {
			r.logf("%v", err)
		}
		r.logf("goha: no process events in this network namespace: vrrp_track_process rescans /proc every %v", procPoll)
	}
	w.scan()
	for i, s := range specs {
		r.procUp[s.Name] = w.up(i)
	}
	var reads chan procRead
	if sub != nil {
		reads = make(chan procRead)
		r.bg.Add(1)
		go func() {
			defer r.bg.Done()
			stop := context.AfterFunc(ctx, func() { sub.Close() })
			defer stop()
			for {
				evs, err := sub.Read()
				select {
				case reads <- procRead{evs, err}:
				case <-ctx.Done():
					return
				}
				if err != nil && !errors.Is(err, netio.ErrProcEventsLost) {
					sub.Close()
					return
				}
			}
		}()
	}
	r.bg.Add(1)
	go r.watchProcesses(ctx, w, reads)
}

// watchProcesses applies events (reads nil: rescans) and delays, and
// posts each state change to the runner.
func (r *Runner) watchProcesses(ctx context.Context, w *procWatcher, reads chan procRead) {
	defer r.bg.Done()
	last := slices.Clone(w.reported)
	delay := r.clock.NewTimer(time.Hour)
	delay.Stop()
	defer delay.Stop()
	var poll Timer
	var pollC <-chan time.Time
	if reads == nil {
		poll = r.clock.NewTimer(procPoll)
		defer poll.Stop()
		pollC = poll.C()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case rd := <-reads:
			switch {
			case errors.Is(rd.err, netio.ErrProcEventsLost):
				// Events were dropped: count again, as keepalived.
				w.rescan(r.clock.Now())
			case rd.err != nil:
				r.logf("process monitor netlink recv error - %v", rd.err)
				r.logf("goha: vrrp_track_process rescans /proc every %v from now on", procPoll)
				reads, poll = nil, r.clock.NewTimer(procPoll)
				defer poll.Stop()
				pollC = poll.C()
			}
			for _, e := range rd.evs {
				w.apply(r.clock.Now(), e)
			}
		case <-pollC:
			w.rescan(r.clock.Now())
			poll.Reset(procPoll)
		case <-delay.C():
			w.expire(r.clock.Now())
		}
		for i, s := range w.specs {
			if up := w.up(i); up != last[i] {
				last[i] = up
				select {
				case r.events <- procEvent{name: s.Name, up: up}:
				case <-ctx.Done():
					return
				}
			}
		}
		if at, ok := w.next(); ok {
			delay.Reset(max(at.Sub(r.clock.Now()), 0))
		} else {
			delay.Stop()
		}
	}
}

// processQuorum applies a vrrp_track_process's new state to the instances
// tracking it.
func (r *Runner) processQuorum(e procEvent, now time.Duration) {
	if r.procUp[e.name] == e.up {
		return
	}
	r.procUp[e.name] = e.up
	word := "lost"
	if e.up {
		word = "gained"
	}
	r.logf("Quorum %s for tracked process %s", word, e.name)
	for _, in := range r.insts {
		for _, t := range in.spec.TrackProcesses {
			if t.Name == e.name {
				r.retrack(in, now)
				break
			}
		}
	}
}

// logProcessFaults logs, as keepalived when it starts an instance, each
// unweighted track_process that holds it in FAULT.
func (r *Runner) logProcessFaults(in *inst) {
	for _, t := range in.spec.TrackProcesses {
		if t.Weight == 0 && r.procUp[t.Name] == t.Reverse {
			r.logf("(%s) entering FAULT state (tracked process %s quorum not achieved)", in.spec.Name, t.Name)
		}
	}
}

// processState is what an instance's track_process entries add to its
// trackState: keepalived 2.2.7's rule (vrrp_track.c), where reverse
// negates the weight rather than the state. Unweighted: FAULT while the
// quorum is lost (reverse: while it is had). Weighted: a positive weight
// counts while the quorum is had, a negative one while it is lost.
func (r *Runner) processState(in *inst) (delta int, fault bool) {
	for _, t := range in.spec.TrackProcesses {
		up := r.procUp[t.Name]
		mult := 1
		if t.Reverse {
			mult = -1
		}
		switch {
		case t.Weight == 0:
			fault = fault || up == t.Reverse
		case up && t.Weight > 0, !up && t.Weight < 0:
			delta += t.Weight * mult
		}
	}
	return delta, fault
}
