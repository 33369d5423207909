package keepalived

import "strings"

// Handlers of the vrrp_instance tracker rows (track_interface,
// track_script, track_file) and the tracker line grammar they share with
// vrrp_sync_group.

// instTrackInterface types track_interface.
func instTrackInterface(t *typer, n *Node) {
	in := t.inst
	for _, l := range n.Values {
		tr, ok := t.tracked(l, in.Name, "track_interface")
		if !ok {
			continue
		}
		if !t.ifaces[tr.Name] {
			t.add(l.Pos, ClassWarning, "", "(%s) tracked interface %s doesn't exist", in.Name, tr.Name)
			t.badIface = true
			continue
		}
		in.TrackInterfaces = append(in.TrackInterfaces, tr)
	}
}

// instTrackScript types track_script.
func instTrackScript(t *typer, n *Node) {
	in := t.inst
	for _, l := range n.Values {
		if tr, ok := t.tracked(l, in.Name, "track script"); ok && t.knownScript(in.Name, tr) {
			in.TrackScripts = append(in.TrackScripts, tr)
			t.scriptRefs = append(t.scriptRefs, scriptRef{inst: in, t: tr, idx: len(in.TrackScripts) - 1})
		}
	}
}

// instTrackFile types track_file.
func instTrackFile(t *typer, n *Node) {
	in := t.inst
	for _, l := range n.Values {
		if tr, ok := t.tracked(l, in.Name, "track file"); ok && t.knownTrackFile(in.Name, tr) {
			in.TrackFiles = append(in.TrackFiles, tr)
		}
	}
}

// tracked parses "NAME [weight W [reverse|no_reverse]]".
func (t *typer) tracked(l Line, inst, what string) (Tracked, bool) {
	tr := Tracked{Name: l.Tokens[0].Text, Pos: l.Pos}
	for i := 1; i < len(l.Tokens); i++ {
		switch l.Tokens[i].Text {
		case "weight":
			if i+1 >= len(l.Tokens) {
				t.errorf(l.Pos, "(%s) weight without value specified for %s %s - ignoring", inst, strings.ReplaceAll(what, " ", "_"), tr.Name)
				return tr, false
			}
			i++
			v, msg := readInt(l.Tokens[i].Text, -254, 254)
			if msg != "" {
				t.number(l.Pos, msg)
				if what == "track_interface" {
					t.errorf(l.Pos, "(%s) weight %s for %s must be between [-253..253] inclusive. Ignoring...", inst, l.Tokens[i].Text, tr.Name)
				} else {
					t.errorf(l.Pos, "(%s) %s %s: weight must be between [-253..253] inclusive, ignoring...", inst, what, tr.Name)
				}
				return tr, false
			}
			if v == 254 || v == -254 {
				t.errorf(l.Pos, "(%s) weight for %s cannot be +/-254. Setting to +/-253", inst, tr.Name)
				v = v / 254 * 253
			}
			tr.Weight, tr.HasWeight = int(v), true
		case "reverse":
			tr.Reverse = true
		default:
			t.errorf(l.Pos, "(%s) unknown %s %s weight option %s - ignoring", inst, strings.ReplaceAll(what, " ", "_"), tr.Name, l.Tokens[i].Text)
		}
	}
	return tr, true
}

// knownScript looks a track_script entry up when it is read, as keepalived
// does: a vrrp_script defined further down the file is not known yet, and
// the entry is dropped.
func (t *typer) knownScript(owner string, tr Tracked) bool {
	if _, ok := t.cfg.Scripts[tr.Name]; ok {
		return true
	}
	t.add(tr.Pos, ClassGeneral, "define `vrrp_script "+tr.Name+" { script ... }` above the track_script that names it", "(%s) track script %s not found, ignoring...", owner, tr.Name)
	return false
}

// knownTrackFile is knownScript for track_file entries.
func (t *typer) knownTrackFile(owner string, tr Tracked) bool {
	if _, ok := t.cfg.TrackFiles[tr.Name]; ok {
		return true
	}
	t.errorf(tr.Pos, "(%s) track file %s not found, ignoring...", owner, tr.Name)
	return false
}
