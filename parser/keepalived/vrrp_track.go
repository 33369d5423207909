package keepalived

import (
	"time"
)

// The root blocks vrrp_script, track_file/vrrp_track_file and
// vrrp_sync_group: each function creates the object, runs its rows'
// handlers (vrrp_track_keywords.go) and then keepalived's end-of-block
// checks ("No script set ..."). A missing parameter ends the block at once,
// skipping those checks, as keepalived exits there.

func (t *typer) script(n *Node) {
	if !t.need(n, 1) {
		return
	}
	s := &Script{Name: n.Arg(0), Pos: n.Pos, Interval: time.Second, Rise: 1, Fall: 1}
	t.vscript = s
	for _, c := range n.Children {
		if t.aborted {
			return
		}
		if h := c.Keyword.handle; h != nil {
			h(t, c)
		}
		if t.aborted {
			return
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
	t.vtrackFile = f
	for _, c := range n.Children {
		if h := c.Keyword.handle; h != nil {
			h(t, c)
		}
		if t.aborted {
			return
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
	sg := &SyncGroup{Name: n.Arg(0), Pos: n.Pos, SMTPAlert: -1}
	t.vsyncGroup = sg
	for _, c := range n.Children {
		if !c.Keyword.Honoured() {
			t.unsupported(c)
			continue
		}
		if h := c.Keyword.handle; h != nil {
			h(t, c)
		}
	}
	t.cfg.SyncGroups = append(t.cfg.SyncGroups, sg)
}
