package keepalived

// Handlers of the vrrp_instance notify rows, and where an instance or a
// sync group keeps each notify script (keepalived refuses a second one).

// instNotify types notify_master, notify_backup, notify_fault, notify_stop, notify, notify_deleted, notify_master_rx_lower_pri.
func instNotify(t *typer, n *Node) {
	in := t.inst
	if !t.need(n, 1) {
		return
	}
	s := rawArgs(n)
	if slot := instanceNotifySlot(in, n.Name()); slot != nil && *slot != "" {
		// keepalived keeps the first script and names the second by
		// its first word (a quoted script is one word).
		t.errorf(n.Pos, "(%s) %s script already specified - ignoring %s", in.Name, n.Name(), n.Arg(0))
		return
	}
	if t.usableScript(s) {
		t.hasScripts = true
		t.defaultScriptUser(n.Pos)
	}
	switch n.Name() {
	case "notify_master":
		in.NotifyMaster = s
	case "notify_backup":
		in.NotifyBackup = s
	case "notify_fault":
		in.NotifyFault = s
	case "notify_stop":
		in.NotifyStop = s
	case "notify":
		in.Notify = s
	case "notify_deleted":
		in.NotifyDeleted = s
	default:
		in.NotifyMasterRxLowerPri = s
	}
}

// instNotifyPriorityChanges types notify_priority_changes.
func instNotifyPriorityChanges(t *typer, n *Node) {
	in := t.inst
	in.NotifyPriorityChanges = t.optBool(n, true)
}

// instanceNotifySlot is where an instance keeps the notify script a
// keyword sets; keepalived 2.2.7 refuses a second one for the same
// keyword (notify_deleted is not checked: nil).
func instanceNotifySlot(in *Instance, kw string) *string {
	switch kw {
	case "notify_master":
		return &in.NotifyMaster
	case "notify_backup":
		return &in.NotifyBackup
	case "notify_fault":
		return &in.NotifyFault
	case "notify_stop":
		return &in.NotifyStop
	case "notify":
		return &in.Notify
	case "notify_master_rx_lower_pri":
		return &in.NotifyMasterRxLowerPri
	}
	return nil
}

// syncGroupNotifySlot is instanceNotifySlot for a vrrp_sync_group.
func syncGroupNotifySlot(sg *SyncGroup, kw string) *string {
	switch kw {
	case "notify_master":
		return &sg.NotifyMaster
	case "notify_backup":
		return &sg.NotifyBackup
	case "notify_fault":
		return &sg.NotifyFault
	case "notify_stop":
		return &sg.NotifyStop
	}
	return &sg.Notify
}
