package keepalived

import (
	"net/netip"
	"strconv"
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
		case "static_ipaddress":
			for _, l := range n.Values {
				if v, ok := t.vip(l, nil); ok {
					t.cfg.StaticAddrs = append(t.cfg.StaticAddrs, v)
				}
			}
		case "static_routes":
			t.checkRoutes(n.Values)
			t.cfg.StaticRoutes = append(t.cfg.StaticRoutes, rawLines(n.Values)...)
		case "static_rules":
			t.checkRules(n.Values)
			t.cfg.StaticRules = append(t.cfg.StaticRules, rawLines(n.Values)...)
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

func rawLines(ls []Line) []RawLine {
	var out []RawLine
	for _, l := range ls {
		r := RawLine{Pos: l.Pos}
		for _, tk := range l.Tokens {
			r.Words = append(r.Words, tk.Text)
		}
		out = append(out, r)
	}
	return out
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
		Strict: g.Strict, Version: g.Version, UnicastTTL: 255,
	}
	t.cfg.Instances = append(t.cfg.Instances, in)
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
	switch n.Name() {
	case "state":
		if !t.need(n, 1) {
			return
		}
		switch n.Arg(0) {
		case "MASTER", "BACKUP":
			in.State = n.Arg(0)
			t.stateSet[in] = true
		default:
			t.add(n.Pos, ClassGeneral, "use MASTER or BACKUP", "(%s) unknown state '%s', defaulting to BACKUP", in.Name, n.Arg(0))
			in.State = "BACKUP"
		}
	case "interface":
		if !t.need(n, 1) {
			return
		}
		in.Interface, in.InterfacePos = n.Arg(0), n.Pos
		if !t.ifaces[in.Interface] {
			t.add(n.Pos, ClassWarning, "check `ip link`: gokeepalived needs the interface to exist when it starts",
				"WARNING - interface %s for vrrp_instance %s doesn't exist", in.Interface, in.Name)
			t.diags[len(t.diags)-1].MissingInterface = true
			t.badIface = true
		}
	case "virtual_router_id":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 1, 255)
		if msg != "" {
			t.number(n.Pos, msg)
			t.add(n.Pos, ClassGeneral, "the VRID must be 1..255 and identical on every router of the pair", "(%s): VRID '%s' not valid - must be between 1 & 255", in.Name, n.Arg(0))
			return
		}
		in.VRID = int(v)
		t.vridSet[in] = true
	case "priority":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 1, 255)
		if msg != "" {
			t.number(n.Pos, msg)
			t.add(n.Pos, ClassGeneral, "priority is 1..255 (255 = address owner)", "(%s) Priority not valid! must be between 1 & 255. Using default 100", in.Name)
			in.Priority = 100
			t.prioSet[in] = true
			return
		}
		in.Priority = int(v)
		t.prioSet[in] = true
	case "advert_int":
		if !t.need(n, 1) {
			return
		}
		v, msg := readDouble(n.Arg(0), 0.01, 255)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s) Advert interval (%s) not valid! Must be > 0 - ignoring", in.Name, n.Arg(0))
			return
		}
		in.AdvertInt = time.Duration(v*100+0.5) * 10 * time.Millisecond
	case "version":
		if !t.need(n, 1) {
			return
		}
		v, msg := readInt(n.Arg(0), 2, 3)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s): Version must be either 2 or 3", in.Name)
			return
		}
		if v == 2 && in.IPv6 && len(in.VIPs) > 0 {
			cur := 0
			if t.versionSet[in] {
				cur = in.Version
			}
			t.add(n.Pos, ClassGeneral, "IPv6 needs VRRP version 3", "(%s) vrrp_version 2 conflicts with configured or deduced version %d; ignoring.", in.Name, cur)
			return
		}
		in.Version = int(v)
		t.versionSet[in] = true
	case "nopreempt":
		in.Nopreempt = true
	case "preempt":
		in.Nopreempt = false
	case "preempt_delay":
		if !t.need(n, 1) {
			return
		}
		v, msg := readDouble(n.Arg(0), 0, 1000)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s) Preempt_delay not valid! must be between 0-1000", in.Name)
			return
		}
		in.PreemptDelay = seconds(v)
	case "accept":
		in.Accept, in.AcceptSet = true, true
	case "no_accept":
		in.Accept, in.AcceptSet = false, true
	case "strict_mode":
		in.Strict = t.optBool(n, true)
	case "authentication":
		for _, c := range n.Children {
			switch c.Name() {
			case "auth_type":
				if !t.need(c, 1) {
					return
				}
				switch c.Arg(0) {
				case "PASS", "AH":
					in.AuthType, in.authPos = c.Arg(0), c.Pos
				default:
					t.errorf(c.Pos, "(%s) unknown authentication type '%s'", in.Name, c.Arg(0))
				}
			case "auth_pass":
				if !t.need(c, 1) {
					return
				}
				p := c.Arg(0)
				if len(p) > 8 {
					t.add(c.Pos, ClassWarning, "VRRPv2 carries only 8 bytes of password", "Truncating auth_pass to 8 characters")
					p = p[:8]
				}
				in.AuthPass = [8]byte{}
				copy(in.AuthPass[:], p)
			}
		}
	case "virtual_ipaddress", "virtual_ipaddress_excluded":
		for _, l := range n.Values {
			v, ok := t.vip(l, in)
			if !ok {
				continue
			}
			if n.Name() == "virtual_ipaddress_excluded" {
				// eVIPs may mix families and never set the instance's: an
				// instance with only IPv6 eVIPs is IPv4, and IPv4 VIPs after
				// IPv6 eVIPs are fine (keepalived 2.2.7 in a namespace).
				in.ExcludedVIPs = append(in.ExcludedVIPs, v)
				continue
			}
			if len(in.VIPs) == 0 {
				in.IPv6 = v.Prefix.Addr().Is6()
			} else if v.Prefix.Addr().Is6() != in.IPv6 {
				t.errorf(l.Pos, "(%s): address family must match VRRP instance [%s] - ignoring", in.Name, l.Tokens[0].Text)
				continue
			}
			in.VIPs = append(in.VIPs, v)
		}
	case "virtual_routes":
		t.checkRoutes(n.Values)
		in.VirtualRoutes = append(in.VirtualRoutes, rawLines(n.Values)...)
	case "virtual_rules":
		t.checkRules(n.Values)
		in.VirtualRules = append(in.VirtualRules, rawLines(n.Values)...)
	case "unicast_src_ip":
		if !t.need(n, 1) {
			return
		}
		a, err := netip.ParseAddr(n.Arg(0))
		if err != nil {
			t.errorf(n.Pos, "Configuration error: VRRP instance[%s] malformed src address[%s]. Skipping...", in.Name, n.Arg(0))
			return
		}
		in.UnicastSrc = a
	case "mcast_src_ip":
		if !t.need(n, 1) {
			return
		}
		a, err := netip.ParseAddr(n.Arg(0))
		if err != nil {
			t.errorf(n.Pos, "Configuration error: VRRP instance[%s] malformed mcast src address[%s]. Skipping...", in.Name, n.Arg(0))
			return
		}
		in.McastSrc = a
	case "mcast_dst_ip":
		if a, err := netip.ParseAddr(n.Arg(0)); err == nil {
			in.McastDst = a
		}
	case "unicast_peer":
		// Even empty, the block is a unicast keyword (keepalived -t: "A
		// unicast keyword has been specified without any unicast peers").
		in.unicastKeyword = true
		for _, l := range n.Values {
			a, err := netip.ParseAddr(l.Tokens[0].Text)
			if err != nil {
				t.errorf(l.Pos, "Configuration error: VRRP instance[%s] malformed unicast peer address[%s]. Skipping...", in.Name, l.Tokens[0].Text)
				continue
			}
			if (len(in.VIPs) > 0 || len(in.UnicastPeers) > 0) && a.Is6() != in.IPv6 {
				t.errorf(l.Pos, "Configuration error: VRRP instance[%s] and unicast peer address[%s] MUST be of the same family !!! Skipping...", in.Name, l.Tokens[0].Text)
				continue
			}
			if len(in.VIPs) == 0 && len(in.UnicastPeers) == 0 {
				in.IPv6 = a.Is6()
			}
			p := UnicastPeer{Addr: a}
			for i := 1; i+1 < len(l.Tokens); i += 2 {
				u, msg := readUnsigned(l.Tokens[i+1].Text, 0, 255)
				if msg != "" {
					t.number(l.Pos, msg)
					continue
				}
				v := int(u)
				switch l.Tokens[i].Text {
				case "min_ttl":
					p.MinTTL = v
				case "max_ttl":
					p.MaxTTL = v
				}
			}
			in.UnicastPeers = append(in.UnicastPeers, p)
		}
	case "track_interface":
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
	case "track_script":
		for _, l := range n.Values {
			if tr, ok := t.tracked(l, in.Name, "track script"); ok && t.knownScript(in.Name, tr) {
				in.TrackScripts = append(in.TrackScripts, tr)
				t.scriptRefs = append(t.scriptRefs, scriptRef{inst: in, t: tr, idx: len(in.TrackScripts) - 1})
			}
		}
	case "track_file":
		for _, l := range n.Values {
			if tr, ok := t.tracked(l, in.Name, "track file"); ok && t.knownTrackFile(in.Name, tr) {
				in.TrackFiles = append(in.TrackFiles, tr)
			}
		}
	case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify", "notify_deleted", "notify_master_rx_lower_pri":
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
	case "notify_priority_changes":
		in.NotifyPriorityChanges = t.optBool(n, true)
	case "garp_master_refresh":
		if !t.need(n, 1) {
			return
		}
		// keepalived 2.2.7 reads seconds up to UINT_MAX (not the delays'
		// UINT_MAX/TIMER_HZ) and resets the refresh to off on a bad value.
		v, msg := readUnsigned(n.Arg(0), 0, 1<<32-1)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s): Invalid garp_master_refresh '%s' - ignoring", in.Name, n.Arg(0))
			v = 0
		}
		in.GarpMasterRefresh = time.Duration(v) * time.Second
	case "garp_master_delay", "garp_lower_prio_delay":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 0, 4294)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s): %s '%s' invalid - ignoring", in.Name, n.Name(), n.Arg(0))
			return
		}
		d := time.Duration(v) * time.Second
		if n.Name() == "garp_master_delay" {
			in.GarpMasterDelay = d
		} else {
			in.GarpLowerPrioDelay = d
		}
	case "garp_master_repeat", "garp_master_refresh_repeat", "garp_lower_prio_repeat":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 0, 1<<31-1)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s): %s '%s' invalid - ignoring", in.Name, n.Name(), n.Arg(0))
			return
		}
		if v == 0 && n.Name() != "garp_lower_prio_repeat" {
			t.errorf(n.Pos, "(%s): %s must be greater than 0, setting to 1", in.Name, n.Name())
			v = 1
		}
		switch n.Name() {
		case "garp_master_repeat":
			in.GarpMasterRepeat = int(v)
		case "garp_master_refresh_repeat":
			in.GarpMasterRefreshRepeat = int(v)
		default:
			in.GarpLowerPrioRepeat = int(v)
		}
	case "lower_prio_no_advert":
		in.LowerPrioNoAdvert = t.optBool(n, true)
	case "higher_prio_send_advert":
		in.HigherPrioSendAdvert = t.optBool(n, true)
	case "skip_check_adv_addr":
		in.SkipCheckAdvAddr = t.optBool(n, true)
	case "check_unicast_src":
		in.CheckUnicastSrc = true
	case "use_vmac":
		in.UseVMAC = true
		in.VMACName = n.Arg(0)
	case "vmac_xmit_base":
		in.VMACXmitBase = true
	case "native_ipv6":
		if len(in.VIPs) > 0 && !in.IPv6 {
			t.errorf(n.Pos, "(%s) Cannot specify native_ipv6 with IPv4 addresses", in.Name)
			return
		}
		in.NativeIPv6 = true
	case "dont_track_primary":
		in.DontTrackPrimary = true
	case "unicast_ttl":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 0, 255)
		if msg != "" {
			t.number(n.Pos, msg)
			return
		}
		in.UnicastTTL = int(v)
		in.unicastKeyword = true
	case "down_timer_adverts":
		if !t.need(n, 1) {
			return
		}
		v, msg := readUnsigned(n.Arg(0), 1, 100)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "(%s) down_timer_adverts must be between 1 and 100 - ignoring", in.Name)
			return
		}
		in.DownTimerAdverts = int(v)
	case "unicast_fault_no_peer":
		in.UnicastFaultNoPeer = true
	case "promote_secondaries":
		in.PromoteSecondaries = true
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

// vip parses one virtual_ipaddress/static_ipaddress line (in is nil for
// static_ipaddress), with keepalived 2.2.7's messages for each option.
func (t *typer) vip(l Line, in *Instance) (VIP, bool) {
	v := VIP{Pos: l.Pos}
	addr := l.Tokens[0].Text
	ipText, lenText, hasLen := strings.Cut(addr, "/")
	ip, err := netip.ParseAddr(ipText)
	if err != nil || ip.Zone() != "" {
		t.errorf(l.Pos, "VRRP parsed invalid IP %s. skipping IP...", addr)
		return v, false
	}
	bits := ip.BitLen()
	plen := bits
	if hasLen {
		n, msg := readUnsigned(lenText, 0, uint64(bits))
		if msg != "" {
			t.number(l.Pos, msg)
			t.errorf(l.Pos, "Invalid address prefix len %s for address %s - using %d", lenText, addr, bits)
			hasLen = false
		} else {
			plen = int(n)
		}
	}
	v.Prefix = netip.PrefixFrom(ip, plen)
	toks := l.Tokens[1:]
	for i := 0; i < len(toks); i++ {
		w := toks[i].Text
		arg := func() (string, bool) {
			if i+1 >= len(toks) {
				t.errorf(l.Pos, "No %s parameter specified for %s", w, addr)
				return "", false
			}
			i++
			return toks[i].Text, true
		}
		switch w {
		case "dev":
			if d, ok := arg(); ok {
				v.Dev = d
				if !t.ifaces[d] {
					t.add(l.Pos, ClassWarning, "", "WARNING - interface %s for ip address %s doesn't exist", d, addr)
					t.badIface = true
					return v, false
				}
			}
		case "brd", "broadcast":
			if d, ok := arg(); ok {
				if b, err := netip.ParseAddr(d); err == nil {
					v.Broadcast = b
				} else if d != "+" && d != "-" {
					t.errorf(l.Pos, "Invalid broadcast address %s for %s - ignoring", d, addr)
				}
			}
		case "scope":
			if d, ok := arg(); ok {
				switch d {
				case "global", "site", "link", "host", "nowhere", "universe":
					v.Scope = d
				default:
					if _, err := strconv.ParseUint(d, 0, 8); err == nil {
						v.Scope = d
					} else {
						t.errorf(l.Pos, "Invalid scope '%s' specified for %s - ignoring", d, addr)
					}
				}
			}
		case "label":
			if d, ok := arg(); ok {
				v.Label = d
			}
		case "peer":
			if d, ok := arg(); ok {
				t.vipPeer(l.Pos, &v, d, hasLen)
			}
		case "preferred_lft":
			if d, ok := arg(); ok {
				if d == "forever" {
					v.PreferredLft, v.HasPreferredLft = infiniteLft, true
				} else if n, msg := readUnsigned(d, 0, infiniteLft); msg != "" {
					t.number(l.Pos, msg)
					t.errorf(l.Pos, "preferred_lft %s is invalid", d)
				} else {
					v.PreferredLft, v.HasPreferredLft = uint32(n), true
				}
			}
		case "no_track":
			v.NoTrack = true
		case "-nodad":
			v.NoDAD = true
		case "home":
			v.Home = true
		case "mngtmpaddr":
			v.MngTmpAddr = true
		case "noprefixroute":
			v.NoPrefixRoute = true
		case "autojoin":
			v.AutoJoin = true
		case "use_vmac":
			if in == nil {
				// Not an option of static addresses (keepalived 2.2.7).
				t.errorf(l.Pos, "Unknown configuration entry '%s' for ip address - ignoring", w)
				continue
			}
			v.UseVMAC = true
			t.refuse(l.Pos, "use_vmac", "", "'use_vmac' of ip address %s is parsed but not supported by gokeepalived yet: the address is added to the instance's interface, not to a VMAC", addr)
		case "track_group":
			if in != nil {
				// keepalived reads it (and its argument, next round) as
				// unknown words on a VRRP address line.
				t.errorf(l.Pos, "Unknown configuration entry '%s' for ip address - ignoring", w)
				continue
			}
			if d, ok := arg(); ok {
				if !t.trackGroups[d] {
					t.errorf(l.Pos, "track_group %s not found", d)
					continue
				}
				v.TrackGroup = d
				t.refuse(l.Pos, "track_group", "", "'track_group' of static ip address %s is parsed but not supported by gokeepalived yet: the address stays whatever the group's state", addr)
			}
		default:
			t.errorf(l.Pos, "Unknown configuration entry '%s' for ip address - ignoring", w)
		}
	}
	return v, true
}

// infiniteLft is the "forever" address lifetime (INFINITY_LIFE_TIME).
const infiniteLft = 0xffffffff

// vipPeer reads `peer ADDR`. keepalived takes a bare address of the VIP's
// family; the VIP's own prefix length is then dropped (the kernel's
// point-to-point address is /32 or /128). A bad peer leaves the VIP
// without one (both messages as keepalived 2.2.7).
func (t *typer) vipPeer(pos Pos, v *VIP, d string, hasLen bool) {
	p, err := netip.ParseAddr(d)
	if err != nil || p.Zone() != "" {
		t.errorf(pos, "VRRP parsed invalid IP %s. skipping IP...", d)
		t.errorf(pos, "Invalid peer address %s", d)
		return
	}
	if p.Is4() != v.Prefix.Addr().Is4() {
		t.errorf(pos, "Peer address %s does not match address family", d)
		return
	}
	if hasLen {
		t.errorf(pos, "Cannot specify address prefix when specifying peer address - ignoring")
	}
	v.Prefix = netip.PrefixFrom(v.Prefix.Addr(), v.Prefix.Addr().BitLen())
	v.Peer = netip.PrefixFrom(p, p.BitLen())
}

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
			v, msg := readDouble(c.Arg(0), 0, 2147483)
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
			v, msg := readDouble(c.Arg(0), 0, 2147483)
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
			v, msg := readInt(c.Arg(0), -253, 253)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "vrrp_script %s weight %s must be in [-253, 253]", s.Name, c.Arg(0))
				continue
			}
			s.Weight = int(v)
			s.Reverse = c.Arg(1) == "reverse"
		case "rise", "fall":
			if !t.need(c, 1) {
				return
			}
			v, msg := readUnsigned(c.Arg(0), 1, 1<<31-1)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "vrrp_script %s %s value invalid - must be >= 1", s.Name, c.Name())
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
			v, msg := readInt(c.Arg(0), -254, 254)
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

// checkRoutes reports routes keepalived cannot track (no interface).
func (t *typer) checkRoutes(lines []Line) {
	for _, l := range lines {
		dest, hasDev, nexthop := "", false, false
		for i := 0; i < len(l.Tokens); i++ {
			switch w := l.Tokens[i].Text; w {
			case "nexthop":
				// a nexthop's dev is not the route's: the route is
				// tracked only through its own dev (keepalived 2.2.7)
				nexthop = true
			case "dev", "oif", "no_track":
				if w != "no_track" && i+1 < len(l.Tokens) && !t.ifaces[l.Tokens[i+1].Text] {
					t.add(l.Pos, ClassGeneral, "check `ip link`: the interface must exist when gokeepalived starts",
						"WARNING - interface %s for VROUTE nexthop doesn't exist", l.Tokens[i+1].Text)
					t.diags[len(t.diags)-1].MissingInterface = true
					t.badIface = true
				}
				if !nexthop {
					hasDev = true
				}
				if w != "no_track" {
					i++
				}
			case "src", "via", "table", "metric", "proto", "scope", "mtu", "from":
				i++
			case "to":
				if i+1 < len(l.Tokens) && dest == "" {
					dest = l.Tokens[i+1].Text
				}
				i++
			case "blackhole", "unreachable", "prohibit", "throw", "unicast", "local", "broadcast", "multicast", "anycast", "nat":
			default:
				if dest == "" {
					dest = w
				}
			}
		}
		for _, tk := range l.Tokens {
			switch tk.Text {
			case "or":
				t.add(l.Pos, ClassDeprecated, "", "\"or\" for routes is deprecated. Please use \"nexthop\"")
			case "gw":
				t.add(l.Pos, ClassDeprecated, "", "\"gw\" for routes is deprecated. Please use \"via\"")
			}
		}
		if !hasDev {
			t.add(l.Pos, ClassWarning, "add `dev IF` (or `no_track`) to the route", "Warning - cannot track route %s with no interface specified, not tracking", dest)
		}
	}
}

// checkRules reports rules without a preference, as keepalived does.
func (t *typer) checkRules(lines []Line) {
	for _, l := range lines {
		found, bad := false, false
		for i, tk := range l.Tokens {
			switch tk.Text {
			case "preference", "priority", "pref", "order":
				found = true
			case "to", "from":
				if i+1 < len(l.Tokens) && l.Tokens[i+1].Text != "all" {
					a := l.Tokens[i+1].Text
					if _, err := netip.ParsePrefix(a); err != nil {
						if _, err := netip.ParseAddr(a); err != nil {
							t.errorf(l.Pos, "Invalid rule %s address %s", tk.Text, a)
							t.errorf(l.Pos, "VRRP parsed invalid IP %s. skipping IP...", a)
							bad = true
						}
					}
				}
			}
		}
		if bad {
			continue
		}
		if !found {
			t.add(l.Pos, ClassWarning, "add `preference N` to the rule", "Rule has no preference specified - setting to %d. This is probably not what you want.", t.rulePref)
			t.rulePref--
		}
	}
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
