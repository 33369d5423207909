package keepalived

import (
	"strings"
	"time"
)

// vrrpTree types the root nodes of keepalived's VRRP process parse.
func (t *typer) vrrpTree(nodes []*Node) {
	for _, n := range nodes {
		if t.aborted {
			return
		}
		if !n.Keyword.Honoured() {
			if n.Name() == "linkbeat_interfaces" {
				t.linkbeatInterfaces(n)
			}
			if n.Name() == "track_group" && len(n.Args) > 0 {
				// Known to static_ipaddress's track_group option.
				t.trackGroups[n.Arg(0)] = true
			}
			t.unsupported(n)
			continue
		}
		switch n.Name() {
		case "vrrp_instance":
			t.instance(n)
		case "vrrp_script":
			t.script(n)
		case "vrrp_sync_group":
			t.syncGroup(n)
		case "track_file", "vrrp_track_file":
			t.trackFile(n)
		case "vrrp_track_process":
			t.trackProcess(n)
		case "garp_group":
			t.garpGroup(n)
		case "static_ipaddress":
			for _, l := range n.Values {
				if v, ok := t.vip(l, nil); ok {
					t.cfg.StaticAddrs = append(t.cfg.StaticAddrs, v)
				}
			}
		case "static_routes":
			t.checkRoutes(n.Values)
			t.cfg.StaticRoutes.add(n.Values)
		case "static_rules":
			t.checkRules(n.Values)
			t.cfg.StaticRules.add(n.Values)
		}
	}
}

// linkbeatInterfaces checks the names like keepalived does before it polls
// them: an interface that does not exist is an interface error (-t exit 4).
func (t *typer) linkbeatInterfaces(n *Node) {
	for _, l := range n.Values {
		if len(l.Tokens) == 0 || t.ifaces[l.Tokens[0].Text] {
			continue
		}
		t.add(l.Pos, ClassBadInterface, "check `ip link`: the interface must exist when gokeepalived starts",
			"unknown interface %s specified for linkbeat interface", l.Tokens[0].Text)
	}
}

func (t *typer) instance(n *Node) {
	if !t.need(n, 1) {
		return
	}
	name := n.Arg(0)
	if len(n.Args) != 1 {
		t.add(n.Pos, ClassGeneral, "write `vrrp_instance NAME {` with a single-word name", "vrrp_instance must have a name")
		return
	}
	if t.instNames[name] {
		t.errorf(n.Pos, "vrrp instance %s already defined", name)
		return
	}
	t.instNames[name] = true
	g := &t.cfg.Global
	in := &Instance{
		DownTimerAdverts: g.DownTimerAdverts,
		Name:             name, Pos: n.Pos, State: "BACKUP", AdvertInt: time.Second,
		GarpMasterDelay: g.GarpMasterDelay, GarpMasterRepeat: g.GarpMasterRepeat,
		GarpMasterRefresh: g.GarpMasterRefresh, GarpMasterRefreshRepeat: g.GarpMasterRefreshRepeat,
		GarpLowerPrioDelay: g.GarpLowerPrioDelay, GarpLowerPrioRepeat: g.GarpLowerPrioRepeat,
		LowerPrioNoAdvert: g.LowerPrioNoAdvert, HigherPrioSendAdvert: g.HigherPrioSendAdvert,
		SkipCheckAdvAddr: g.SkipCheckAdvAddr, CheckUnicastSrc: g.CheckUnicastSrc,
		Strict: g.Strict, Version: g.Version, UnicastTTL: 255, SMTPAlert: -1,
	}
	t.cfg.Instances = append(t.cfg.Instances, in)
	t.inst = in
	defer func() { t.inst = nil }()
	for _, c := range n.Children {
		if t.aborted {
			return
		}
		t.instanceKeyword(in, c)
	}
}

// lvsSyncIndent is the indent keepalived 2.2.7 gives the second line of
// the lvs_sync_daemon_interface deprecation: six spaces and a printf field
// of width strlen(name)-2, which a negative width left-justifies, so it is
// 6+|len-2| wide (measured: "A" 7, "AB" 6, "ABC" 7, "VI_1" 8, 10 chars 14).
func lvsSyncIndent(name string) string {
	w := len(name) - 2
	if w < 0 {
		w = -w
	}
	return strings.Repeat(" ", 6+w)
}

func (t *typer) instanceKeyword(in *Instance, n *Node) {
	if n.Name() == "lvs_sync_daemon_interface" {
		// keepalived 2.2.7 reports this deprecation as a general config
		// error (a security violation elsewhere still decides -t's exit).
		t.add(n.Pos, ClassGeneral, "use lvs_sync_daemon in global_defs", "(%s) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.", in.Name)
		t.add(n.Pos, ClassGeneral, "", "%sPlease use global lvs_sync_daemon", lvsSyncIndent(in.Name))
		if t.lvsSyncIface != "" {
			t.errorf(n.Pos, "(%s) lvs_sync_daemon_interface has already been specified as %s - ignoring", in.Name, t.lvsSyncIface)
		} else if len(n.Args) > 0 {
			t.lvsSyncIface = n.Arg(0)
		}
	}
	if !n.Keyword.Honoured() {
		t.unsupported(n)
		if !n.Keyword.Typed {
			return
		}
	}
	if h := n.Keyword.handle; h != nil {
		h(t, n)
	}
}
