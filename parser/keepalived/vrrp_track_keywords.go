package keepalived

// Handlers of the vrrp_script, track_file and vrrp_sync_group rows
// (keywords_vrrp.go). Each writes into the block being typed (t.vscript,
// t.vtrackFile, t.vsyncGroup); numeric bounds come from the row's Range.

import "strconv"

// scriptScript types script.
func scriptScript(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	s.Script = rawArgs(c)
}

// scriptInterval types interval.
func scriptInterval(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.double(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		return
	}
	if v == 0 {
		t.errorf(c.Pos, "(%s): vrrp script interval must be greater than 0, setting to 1", s.Name)
		v = 1
	}
	s.Interval = seconds(v)
}

// scriptTimeout types timeout.
func scriptTimeout(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.double(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		return
	}
	if v == 0 {
		t.errorf(c.Pos, "(%s): vrrp script timeout must be greater than 0, setting to 1", s.Name)
		v = 1
	}
	s.Timeout = seconds(v)
}

// scriptWeight types weight.
func scriptWeight(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.integer(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		t.errorf(c.Pos, "vrrp_script %s weight %s must be in [%s, %s]", s.Name, c.Arg(0), c.Keyword.Range.lo(), c.Keyword.Range.hi())
		return
	}
	s.Weight = int(v)
	s.Reverse = c.Arg(1) == "reverse"
}

// scriptRiseFall types rise, fall.
func scriptRiseFall(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.unsigned(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		t.errorf(c.Pos, "vrrp_script %s %s value invalid - must be >= %s", s.Name, c.Name(), c.Keyword.Range.lo())
		return
	}
	if c.Name() == "rise" {
		s.Rise = int(v)
	} else {
		s.Fall = int(v)
	}
}

// scriptUser types user.
func scriptUser(t *typer, c *Node) {
	s := t.vscript
	if !t.need(c, 1) {
		return
	}
	s.User, s.Group = c.Arg(0), c.Arg(1)
	if s.Group != "" {
		t.refuse(c.Pos, "vrrp_script user group", "", "the group '%s' of vrrp_script %s is parsed but not supported by gokeepalived yet: the script runs with the primary group of %s", s.Group, s.Name, s.User)
	}
}

// scriptInitFail types init_fail.
func scriptInitFail(t *typer, c *Node) {
	s := t.vscript
	s.InitFail = true
}

// trackFileFile types file.
func trackFileFile(t *typer, c *Node) {
	f := t.vtrackFile
	if !t.need(c, 1) {
		return
	}
	f.File = c.Arg(0)
}

// trackFileWeight types weight.
func trackFileWeight(t *typer, c *Node) {
	f := t.vtrackFile
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.integer(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		return
	}
	f.Weight = int(v)
	f.Reverse = c.Arg(1) == "reverse"
}

// trackFileInitFile types init_file.
func trackFileInitFile(t *typer, c *Node) {
	f := t.vtrackFile
	f.InitFile = true
	if len(c.Args) > 0 {
		f.InitValue, _ = strconv.Atoi(c.Arg(0))
	}
	for _, a := range c.Args {
		if a.Text == "overwrite" {
			// the runner only creates a missing file
			t.refuse(c.Pos, "init_file overwrite", "", "'overwrite' of init_file is parsed but not supported by gokeepalived yet: an existing file is kept")
		}
	}
}

// syncGroupMembers types group: the members are resolved at the end of the
// parse (an instance may follow its group).
func syncGroupMembers(t *typer, c *Node) {
	sg := t.vsyncGroup
	for _, l := range c.Values {
		for _, tk := range l.Tokens {
			t.syncRefs = append(t.syncRefs, syncRef{sg: sg, name: tk.Text, pos: l.Pos})
		}
	}
}

// syncGroupNotify types notify_master, notify_backup, notify_fault,
// notify_stop, notify.
func syncGroupNotify(t *typer, c *Node) {
	sg := t.vsyncGroup
	slot := syncGroupNotifySlot(sg, c.Name())
	if *slot != "" {
		t.errorf(c.Pos, "vrrp group %s: %s script already specified - ignoring %s", sg.Name, c.Name(), c.Arg(0))
		return
	}
	*slot = rawArgs(c)
	if t.usableScript(rawArgs(c)) {
		t.hasScripts = true
		t.defaultScriptUser(c.Pos)
	}
}

// syncGroupTrackingWeight types sync_group_tracking_weight and its
// deprecated name global_tracking.
func syncGroupTrackingWeight(t *typer, c *Node) {
	sg := t.vsyncGroup
	sg.TrackingWeight = true
	if c.Name() == "global_tracking" {
		t.add(c.Pos, ClassDeprecated, "use track_interface/track_script/track_file in the sync group", "(%s) global_tracking is deprecated. Use track_interface/script/file on the sync group", sg.Name)
	}
}

// syncGroupTrackInterface types track_interface.
func syncGroupTrackInterface(t *typer, c *Node) {
	sg := t.vsyncGroup
	for _, l := range c.Values {
		if tr, ok := t.tracked(l, sg.Name, "track_interface"); ok {
			sg.TrackInterfaces = append(sg.TrackInterfaces, tr)
		}
	}
}

// syncGroupTrackScript types track_script.
func syncGroupTrackScript(t *typer, c *Node) {
	sg := t.vsyncGroup
	for _, l := range c.Values {
		if tr, ok := t.tracked(l, sg.Name, "track script"); ok && t.knownScript(sg.Name, tr) {
			sg.TrackScripts = append(sg.TrackScripts, tr)
			t.scriptRefs = append(t.scriptRefs, scriptRef{sg: sg, t: tr})
		}
	}
}

// syncGroupTrackFile types track_file.
func syncGroupTrackFile(t *typer, c *Node) {
	sg := t.vsyncGroup
	for _, l := range c.Values {
		if tr, ok := t.tracked(l, sg.Name, "track file"); ok && t.knownTrackFile(sg.Name, tr) {
			sg.TrackFiles = append(sg.TrackFiles, tr)
		}
	}
}
