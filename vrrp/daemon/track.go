package daemon

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// scriptState is a vrrp_script's rise/fall state.
type scriptState struct {
	spec   ScriptSpec
	known  bool // reported at least once (or init_fail)
	ok     bool
	rc     int
	seenRC bool
	rises  int // consecutive successes while failing
	falls  int // consecutive failures while OK
}

// watchLinks reads the link state of every interface the instances use and
// subscribes to its changes.
func (r *Runner) watchLinks(ctx context.Context) error {
	var names []string
	add := func(n string) {
		if _, ok := r.linkUp[n]; ok {
			return
		}
		up, err := r.edge.LinkUp(n)
		if err != nil {
			r.logf("Cannot read the state of interface %s: %v", n, err)
			up = false
		}
		r.linkUp[n] = up
		names = append(names, n)
	}
	for _, in := range r.insts {
		add(in.spec.Interface)
		for _, t := range in.spec.TrackInterfaces {
			add(t.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	ch, err := r.edge.Links(ctx, names)
	if err != nil {
		return err
	}
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-ch:
				if !ok {
					return
				}
				select {
				case r.events <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return nil
}

// startTrackers starts a checker per used vrrp_script, a watcher per
// used track_file and one for the used vrrp_track_process.
func (r *Runner) startTrackers(ctx context.Context) {
	used, files, procs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var procSpecs []TrackProcessSpec
	for _, in := range r.insts {
		for _, t := range in.spec.TrackScripts {
			used[t.Name] = true
		}
		for _, t := range in.spec.TrackFiles {
			files[t.Name] = true
		}
		for _, t := range in.spec.TrackProcesses {
			if s, ok := r.cfg.TrackProcesses[t.Name]; ok && !procs[t.Name] {
				procs[t.Name] = true
				procSpecs = append(procSpecs, s)
			}
		}
	}
	r.followProcesses(ctx, procSpecs)
	for name := range used {
		spec, ok := r.cfg.Scripts[name]
		if !ok || spec.Script == "" {
			continue
		}
		st := r.scripts[name]
		if st == nil {
			st = &scriptState{ok: !spec.InitFail, known: spec.InitFail}
			r.scripts[name] = st
		}
		st.spec = spec
		r.bg.Add(1)
		go r.runScript(ctx, spec)
	}
	for name := range files {
		spec, ok := r.cfg.TrackFiles[name]
		if !ok {
			continue
		}
		if spec.InitFile {
			if _, err := os.Stat(spec.File); err != nil {
				os.WriteFile(spec.File, []byte(strconv.Itoa(spec.InitValue)+"\n"), 0o644)
			}
		}
		r.followFile(ctx, spec)
	}
}

// runScript runs a check every interval, killed after its timeout.
func (r *Runner) runScript(ctx context.Context, s ScriptSpec) {
	defer r.bg.Done()
	interval := s.Interval
	if interval <= 0 {
		interval = time.Second
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = interval
	}
	argv := splitCommand(s.Script)
	user := s.User
	if user == "" {
		user = r.cfg.ScriptUser
	}
	for {
		cctx, cancel, expired := timeoutOn(ctx, r.clock, timeout)
		rc := r.edge.Check(cctx, argv, user)
		timedOut := expired()
		cancel()
		if ctx.Err() != nil {
			return
		}
		if timedOut {
			rc = -1
		}
		select {
		case r.events <- scriptEvent{name: s.Name, rc: rc}:
		case <-ctx.Done():
			return
		}
		if !sleep(r.clock, interval, ctx.Done()) {
			return
		}
	}
}

// scriptResult applies rise/fall and updates the instances tracking it.
func (r *Runner) scriptResult(e scriptEvent, now time.Duration) {
	st := r.scripts[e.name]
	if st == nil {
		return
	}
	if st.seenRC && st.rc != e.rc {
		if e.rc >= 0 {
			r.logf("Script `%s` now returning %d", e.name, e.rc)
		} else {
			r.logf("Script `%s` timed out", e.name)
		}
	}
	st.rc, st.seenRC = e.rc, true
	changed := false
	if !st.known {
		// The first result sets the state at once (keepalived logs it as
		// a transition from init).
		st.known, st.ok, changed = true, e.rc == 0, true
		if st.ok {
			r.logf("VRRP_Script(%s) succeeded", e.name)
		} else if e.rc >= 0 {
			r.logf("VRRP_Script(%s) failed (exited with status %d)", e.name, e.rc)
		} else {
			r.logf("VRRP_Script(%s) timed out", e.name)
		}
	} else if e.rc == 0 {
		st.falls = 0
		if !st.ok {
			st.rises++
			if st.rises >= st.spec.Rise {
				st.ok, st.rises, changed = true, 0, true
				r.logf("VRRP_Script(%s) succeeded", e.name)
			}
		}
	} else {
		st.rises = 0
		if st.ok {
			st.falls++
			if st.falls >= st.spec.Fall {
				st.ok, st.falls, changed = false, 0, true
				if e.rc >= 0 {
					r.logf("VRRP_Script(%s) failed (exited with status %d)", e.name, e.rc)
				} else {
					r.logf("VRRP_Script(%s) timed out", e.name)
				}
			}
		}
	}
	if !changed {
		return
	}
	for _, in := range r.insts {
		for _, t := range in.spec.TrackScripts {
			if t.Name != e.name {
				continue
			}
			switch {
			case !in.pending:
				r.retrack(in, now)
			case !r.scriptsPending(in):
				r.startDeferred(in, now)
			}
			break
		}
	}
}

// trackState sums an instance's trackers: weights applied and whether an
// unweighted tracker fails. A positive weight is added while the tracked
// object is fine, a negative one while it fails; reverse swaps the two.
func (r *Runner) trackState(in *inst) (delta int, fault bool) {
	fault = in.spec.NoPeerFault
	apply := func(ok bool, t Tracker) {
		if t.Reverse {
			ok = !ok
		}
		switch {
		case t.Weight == 0:
			fault = fault || !ok
		case t.Weight > 0 && ok:
			delta += t.Weight
		case t.Weight < 0 && !ok:
			delta += t.Weight
		}
	}
	for _, t := range in.spec.TrackInterfaces {
		apply(r.linkUp[t.Name], t)
	}
	for _, t := range in.spec.TrackScripts {
		if st := r.scripts[t.Name]; st != nil {
			apply(st.ok, t)
		}
	}
	for _, t := range in.spec.TrackFiles {
		v := r.files[t.Name]
		switch {
		case t.Weight == 0:
			fault = fault || v != 0
		default:
			w := v * t.Weight
			if t.Reverse {
				w = -w
			}
			if w <= -254 {
				fault = true
			} else {
				delta += w
			}
		}
	}
	pd, pf := r.processState(in)
	return delta + pd, fault || pf
}

// retrack sends TrackChanged when the sum changed.
func (r *Runner) retrack(in *inst, now time.Duration) {
	d, f := r.trackState(in)
	if d == in.delta && f == in.fault {
		return
	}
	in.delta, in.fault = d, f
	before := in.m.Priority()
	r.step(in, vrrp.TrackChanged{Now: now, PriorityDelta: d, Fault: f})
	if after := in.m.Priority(); after != before {
		r.logf("(%s) Changing effective priority from %d to %d", in.spec.Name, before, after)
		r.notifyPriority(in, after)
	}
}
