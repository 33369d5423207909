package daemon

import (
	"fmt"
	"strconv"

	"github.com/goha-lb/goha/vrrp"
)

// notify runs an instance's notify scripts and writes the FIFO line for a
// state change, as keepalived: the state's own script (notify_master, ...)
// and the generic `notify` with `INSTANCE name STATE priority` appended.
//
// An instance a reload deletes is notified as keepalived 2.2.7 does (seen in
// a namespace): with notify_deleted, that script (no arguments) and state
// DELETED for the generic script and the FIFO; without it, as FAULT.
func (r *Runner) notify(in *inst, n vrrp.Notify) {
	if in.deleted && n.State == vrrp.StateStop {
		if in.spec.Notify.Deleted != "" {
			r.notifyRun(in.spec.Notify.Deleted, in.spec.Notify.Generic, "INSTANCE", in.spec.Name, "DELETED", n.Priority)
			return
		}
		n.State = vrrp.StateFault
	}
	r.notifyScripts(in.spec.Notify, "INSTANCE", in.spec.Name, n.State, n.Priority)
	r.instanceMail(in, n.State)
}

func (r *Runner) notifyScripts(ns NotifySpec, kind, name string, st vrrp.State, prio uint8) {
	var script string
	switch st {
	case vrrp.StateMaster:
		script = ns.Master
	case vrrp.StateBackup:
		script = ns.Backup
	case vrrp.StateFault:
		script = ns.Fault
	case vrrp.StateStop:
		script = ns.Stop
	}
	r.notifyRun(script, ns.Generic, kind, name, st.String(), prio)
}

// notifyRun runs the state's own script, the generic one with `KIND name
// STATE priority` appended, and writes the FIFO line.
func (r *Runner) notifyRun(script, generic, kind, name, state string, prio uint8) {
	if argv := splitCommand(script); len(argv) > 0 {
		r.edge.Spawn(argv, r.cfg.ScriptUser)
	}
	if argv := splitCommand(generic); len(argv) > 0 {
		argv = append(argv, kind, name, state, strconv.Itoa(int(prio)))
		r.edge.Spawn(argv, r.cfg.ScriptUser)
	}
	if r.cfg.NotifyFIFO != "" {
		r.edge.WriteFIFO(r.cfg.NotifyFIFO, fmt.Sprintf("%s %q %s %d\n", kind, name, state, prio))
	}
}

// notifyPriority writes notify_priority_changes' FIFO line. keepalived
// 2.2.7 (seen in a namespace) writes `INSTANCE "A" BACKUP_PRIORITY 120` /
// `MASTER_PRIORITY 100` and runs no notify script for it; a change before
// the instance has a state (at start) is not written.
func (r *Runner) notifyPriority(in *inst, prio uint8) {
	st := in.m.State()
	if !in.spec.NotifyPriorityChanges || r.cfg.NotifyFIFO == "" || st == vrrp.StateInit {
		return
	}
	r.edge.WriteFIFO(r.cfg.NotifyFIFO, fmt.Sprintf("INSTANCE %q %s_PRIORITY %d\n", in.spec.Name, st, prio))
}

// groupNotify runs a sync group's notify scripts once all its members
// agree on a new state.
func (r *Runner) groupNotify(g *group) {
	st := g.insts[0].m.State()
	for _, in := range g.insts[1:] {
		if in.m.State() != st {
			return
		}
	}
	if st == g.state || st == vrrp.StateInit {
		return
	}
	g.state = st
	r.notifyScripts(g.spec.Notify, "GROUP", g.spec.Name, st, 0)
	r.groupMail(g, st)
}
