package daemon

import (
	"context"
	"errors"
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
// Owned by one goroutine.
type procWatcher struct {
	root  string
	specs []TrackProcessSpec
	argv  bool           // some tracker compares command lines
	pids  []map[int]bool // per spec, the matching processes
}

func newProcWatcher(root string, specs []TrackProcessSpec) *procWatcher {
	w := &procWatcher{root: root, specs: specs, pids: make([]map[int]bool, len(specs))}
	for _, s := range specs {
		w.argv = w.argv || s.CommandLine
	}
	return w
}

// scan counts from scratch.
func (w *procWatcher) scan() {
	for i := range w.pids {
		w.pids[i] = map[int]bool{}
	}
	for _, pid := range listPIDs(w.root) {
		w.check(pid)
	}
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

// apply updates the sets for one event.
func (w *procWatcher) apply(e netio.ProcEvent) {
	switch e.Kind {
	case netio.ProcFork:
		for i := range w.pids {
			if w.pids[i][e.Parent] {
				w.pids[i][e.PID] = true
			}
		}
	case netio.ProcExec:
		w.check(e.PID)
	case netio.ProcComm:
		// A new name concerns the trackers of names only: the command
		// line did not change.
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
		for i := range w.pids {
			delete(w.pids[i], e.PID)
		}
	}
}

// up says whether spec i has its quorum.
func (w *procWatcher) up(i int) bool { return w.specs[i].up(len(w.pids[i])) }

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
	last := make([]bool, len(specs))
	for i, s := range specs {
		last[i] = w.up(i)
		r.procUp[s.Name] = last[i]
	}
	post := func() bool {
		for i, s := range specs {
			if up := w.up(i); up != last[i] {
				last[i] = up
				select {
				case r.events <- procEvent{name: s.Name, up: up}:
				case <-ctx.Done():
					return false
				}
			}
		}
		return true
	}
	r.bg.Add(1)
	if sub == nil {
		go r.pollProcesses(ctx, w, post)
		return
	}
	go func() {
		defer r.bg.Done()
		stop := context.AfterFunc(ctx, func() { sub.Close() })
		defer stop()
		for {
			evs, err := sub.Read()
			if ctx.Err() != nil {
				return
			}
			switch {
			case errors.Is(err, netio.ErrProcEventsLost):
				// Events were dropped: count again, as keepalived.
				w.scan()
			case err != nil:
				sub.Close()
				r.logf("process monitor netlink recv error - %v", err)
				r.logf("goha: vrrp_track_process rescans /proc every %v from now on", procPoll)
				r.bg.Add(1)
				go r.pollProcesses(ctx, w, post)
				return
			}
			for _, e := range evs {
				w.apply(e)
			}
			if !post() {
				return
			}
		}
	}()
}

// pollProcesses rescans /proc every procPoll.
func (r *Runner) pollProcesses(ctx context.Context, w *procWatcher, post func() bool) {
	defer r.bg.Done()
	for sleep(r.clock, procPoll, ctx.Done()) {
		w.scan()
		if !post() {
			return
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
