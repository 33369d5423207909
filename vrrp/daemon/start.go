// Starting the instances: sockets, sync groups, link state, trackers,
// vrrp_startup_delay and the instances that wait for their scripts.

package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

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

// buildGroups (re)creates the sync groups from the configuration.
func (r *Runner) buildGroups() {
	old := r.groups
	r.groups = map[string]*group{}
	for _, in := range r.insts {
		in.group = nil
	}
	for _, gs := range r.cfg.SyncGroups {
		g := &group{spec: gs, sg: &vrrp.SyncGroup{Name: gs.Name}}
		if o := old[gs.Name]; o != nil {
			// A reload keeps what the group last notified and mailed:
			// keepalived 2.2.7 does not notify (nor mail) a sync group
			// again when a reload leaves its state unchanged (seen in a
			// namespace, TestEmailAlertsLikeKeepalived).
			g.state, g.lastMail = o.state, o.lastMail
		}
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
	r.logProcessFaults(in)
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
