package vrrp

// SyncGroup is a vrrp_sync_group: member instances move together. A member
// in FAULT of its own (link, unweighted tracker) drags every member to FAULT
// until no member has a fault of its own; a member becoming MASTER takes the
// others to MASTER, one dropping to BACKUP takes the others to BACKUP.
// Like Instance it is pure: Step returns each member's actions.
type SyncGroup struct {
	Name    string
	Members []*Instance
}

// MemberActions are the actions of one member, by index in Members.
type MemberActions struct {
	Member  int
	Actions []Action
}

// Step delivers ev to member m, then moves the other members with it.
func (g *SyncGroup) Step(m int, ev Event) []MemberActions {
	before := g.Members[m].State()
	out := []MemberActions{{Member: m, Actions: g.Members[m].Step(ev)}}
	after := g.Members[m].State()
	now := ev.at()

	force := func(to State, includeSelf bool, skip func(*Instance) bool) {
		var logged bool
		for k, in := range g.Members {
			if (k == m && !includeSelf) || skip(in) {
				continue
			}
			if !logged {
				out[0].Actions = append(out[0].Actions, Log{Text: "VRRP_Group(" + g.Name + ") Syncing instances to " + to.String() + " state"})
				logged = true
			}
			out = append(out, MemberActions{Member: k, Actions: in.Step(SyncForce{Now: now, State: to})})
		}
	}

	ownFault := false
	for _, in := range g.Members {
		if in.ownFault() {
			ownFault = true
		}
	}
	switch {
	case ownFault:
		force(StateFault, false, func(in *Instance) bool { return in.State() == StateFault || in.State() == StateStop })
	case after == StateMaster && before != StateMaster:
		force(StateMaster, false, func(in *Instance) bool { return in.State() != StateBackup })
	case after == StateBackup && before == StateMaster:
		force(StateBackup, false, func(in *Instance) bool { return in.State() != StateMaster })
	default:
		// No member has a fault of its own any more: release the group fault.
		force(StateBackup, true, func(in *Instance) bool { return !in.syncErr })
	}
	return out
}

// ownFault is a fault of the instance itself, not one imposed by its group.
func (i *Instance) ownFault() bool {
	return i.state != StateStop && ((i.linkDown && !i.cfg.DontTrackPrimary) || i.trackErr)
}
