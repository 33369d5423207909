package keepalived

import (
	"strconv"
	"strings"
	"time"
)

// The root blocks vrrp_script, track_file/vrrp_track_file and
// vrrp_sync_group. Their few keywords are typed by one switch per block
// (KEYWORDS.md names it as their parse site): a missing parameter ends
// the block at once, skipping its end checks ("No script set ..."), as
// keepalived exits there; the switch's returns keep that visible.

func (t *typer) script(n *Node) {
	if !t.need(n, 1) {
		return
	}
	s := &Script{Name: n.Arg(0), Pos: n.Pos, Interval: time.Second, Rise: 1, Fall: 1}
	for _, c := range n.Children {
		if t.aborted {
			return
		}
		switch c.Name() {
		case "script":
			if !t.need(c, 1) {
				return
			}
			s.Script = rawArgs(c)
		case "interval":
			if !t.need(c, 1) {
				return
			}
			v, msg := c.Keyword.Range.double(c.Arg(0))
			if msg != "" {
				t.number(c.Pos, msg)
				continue
			}
			if v == 0 {
				t.errorf(c.Pos, "(%s): vrrp script interval must be greater than 0, setting to 1", s.Name)
				v = 1
			}
			s.Interval = seconds(v)
		case "timeout":
			if !t.need(c, 1) {
				return
			}
			v, msg := c.Keyword.Range.double(c.Arg(0))
			if msg != "" {
				t.number(c.Pos, msg)
				continue
			}
			if v == 0 {
				t.errorf(c.Pos, "(%s): vrrp script timeout must be greater than 0, setting to 1", s.Name)
				v = 1
			}
			s.Timeout = seconds(v)
		case "weight":
			if !t.need(c, 1) {
				return
			}
			v, msg := c.Keyword.Range.integer(c.Arg(0))
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "vrrp_script %s weight %s must be in [%s, %s]", s.Name, c.Arg(0), c.Keyword.Range.lo(), c.Keyword.Range.hi())
				continue
			}
			s.Weight = int(v)
			s.Reverse = c.Arg(1) == "reverse"
		case "rise", "fall":
			if !t.need(c, 1) {
				return
			}
			v, msg := c.Keyword.Range.unsigned(c.Arg(0))
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "vrrp_script %s %s value invalid - must be >= %s", s.Name, c.Name(), c.Keyword.Range.lo())
				continue
			}
			if c.Name() == "rise" {
				s.Rise = int(v)
			} else {
				s.Fall = int(v)
			}
		case "user":
			if !t.need(c, 1) {
				return
			}
			s.User, s.Group = c.Arg(0), c.Arg(1)
			if s.Group != "" {
				t.refuse(c.Pos, "vrrp_script user group", "", "the group '%s' of vrrp_script %s is parsed but not supported by gokeepalived yet: the script runs with the primary group of %s", s.Group, s.Name, s.User)
			}
		case "init_fail":
			s.InitFail = true
		}
	}
	if s.Script == "" {
		t.errorf(n.End, "No script set for vrrp_script %s - removing", s.Name)
		return
	}
	if s.User == "" && !t.defaultScriptUser(n.End) {
		t.errorf(n.End, "Unable to set default user for vrrp script %s - removing", s.Name)
		return
	}
	if t.usableScript(s.Script) {
		t.hasScripts = true
	}
	t.cfg.Scripts[s.Name] = s
}

func (t *typer) trackFile(n *Node) {
	if !t.need(n, 1) {
		return
	}
	f := &TrackFile{Name: n.Arg(0), Pos: n.Pos, Weight: 1}
	for _, c := range n.Children {
		switch c.Name() {
		case "file":
			if !t.need(c, 1) {
				return
			}
			f.File = c.Arg(0)
		case "weight":
			if !t.need(c, 1) {
				return
			}
			v, msg := c.Keyword.Range.integer(c.Arg(0))
			if msg != "" {
				t.number(c.Pos, msg)
				continue
			}
			f.Weight = int(v)
			f.Reverse = c.Arg(1) == "reverse"
		case "init_file":
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
	}
	if f.File == "" {
		t.errorf(n.End, "No file set for track_file %s - ignoring", f.Name)
		return
	}
	t.cfg.TrackFiles[f.Name] = f
}

func (t *typer) syncGroup(n *Node) {
	if !t.need(n, 1) {
		return
	}
	sg := &SyncGroup{Name: n.Arg(0), Pos: n.Pos}
	for _, c := range n.Children {
		switch c.Name() {
		case "group":
			for _, l := range c.Values {
				for _, tk := range l.Tokens {
					t.syncRefs = append(t.syncRefs, syncRef{sg: sg, name: tk.Text, pos: l.Pos})
				}
			}
		case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify":
			slot := syncGroupNotifySlot(sg, c.Name())
			if *slot != "" {
				t.errorf(c.Pos, "vrrp group %s: %s script already specified - ignoring %s", sg.Name, c.Name(), c.Arg(0))
				continue
			}
			*slot = rawArgs(c)
		case "global_tracking", "sync_group_tracking_weight":
			sg.TrackingWeight = true
		case "track_interface":
			for _, l := range c.Values {
				if tr, ok := t.tracked(l, sg.Name, "track_interface"); ok {
					sg.TrackInterfaces = append(sg.TrackInterfaces, tr)
				}
			}
		case "track_script":
			for _, l := range c.Values {
				if tr, ok := t.tracked(l, sg.Name, "track script"); ok && t.knownScript(sg.Name, tr) {
					sg.TrackScripts = append(sg.TrackScripts, tr)
					t.scriptRefs = append(t.scriptRefs, scriptRef{sg: sg, t: tr})
				}
			}
		case "track_file":
			for _, l := range c.Values {
				if tr, ok := t.tracked(l, sg.Name, "track file"); ok && t.knownTrackFile(sg.Name, tr) {
					sg.TrackFiles = append(sg.TrackFiles, tr)
				}
			}
		default:
			if !c.Keyword.Honoured() {
				t.unsupported(c)
			}
		}
		if strings.HasPrefix(c.Name(), "notify") && c.Name() != "notify_priority_changes" && t.usableScript(rawArgs(c)) {
			t.hasScripts = true
			t.defaultScriptUser(c.Pos)
		}
		if c.Name() == "global_tracking" {
			t.add(c.Pos, ClassDeprecated, "use track_interface/track_script/track_file in the sync group", "(%s) global_tracking is deprecated. Use track_interface/script/file on the sync group", sg.Name)
		}
	}
	t.cfg.SyncGroups = append(t.cfg.SyncGroups, sg)
}
