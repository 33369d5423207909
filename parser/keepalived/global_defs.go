package keepalived

import (
	"net/netip"
	"time"
)

// Handlers of the global_defs rows (keywords_vrrp.go). Each writes into
// the Config's GlobalDefs; a numeric keyword's bounds come from its row's
// Range. A vrrp_instance copies the VRRP defaults when it is created
// (vrrp.go:instance).

// gdRouterID types router_id.
func gdRouterID(t *typer, n *Node) {
	g := &t.cfg.Global
	if len(n.Args) == 0 {
		t.errorf(n.Pos, "routerid name missing - ignoring")
		return
	}
	g.RouterID = n.Arg(0)
}

// gdVRRPStrict types vrrp_strict.
func gdVRRPStrict(t *typer, n *Node) {
	g := &t.cfg.Global
	g.Strict = true
}

// gdVRRPSkipCheckAdvAddr types vrrp_skip_check_adv_addr.
func gdVRRPSkipCheckAdvAddr(t *typer, n *Node) {
	g := &t.cfg.Global
	g.SkipCheckAdvAddr = t.optBool(n, true)
}

// gdGarpInterval types vrrp_garp_interval, vrrp_gna_interval.
func gdGarpInterval(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.double(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.add(n.Pos, ClassGeneral, "use a value ≥ "+n.Keyword.Range.lo()+" (seconds between gratuitous ARPs/NAs per interface) or remove the line", "%s '%s' is invalid", n.Name(), n.Arg(0))
		return
	}
	if n.Name() == "vrrp_garp_interval" {
		g.GarpInterval = seconds(v)
	} else {
		g.GnaInterval = seconds(v)
	}
	if v >= 1 {
		t.notice(n.Pos, "keepalived reads this value in seconds; 0.001 would be 1 ms", "%s %s means one gratuitous ARP/NA every %s seconds per interface", n.Name(), n.Arg(0), n.Arg(0))
	}
}

// gdGarpDelay types vrrp_garp_master_delay, vrrp_garp_master_refresh, vrrp_garp_lower_prio_delay.
func gdGarpDelay(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "%s '%s' invalid - ignoring", n.Name(), n.Arg(0))
		return
	}
	d := time.Duration(v) * time.Second
	switch n.Name() {
	case "vrrp_garp_master_delay":
		g.GarpMasterDelay = d
	case "vrrp_garp_master_refresh":
		g.GarpMasterRefresh = d
	default:
		g.GarpLowerPrioDelay = d
	}
}

// gdGarpRepeat types vrrp_garp_master_repeat, vrrp_garp_master_refresh_repeat, vrrp_garp_lower_prio_repeat.
func gdGarpRepeat(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "%s '%s' invalid - ignoring", n.Name(), n.Arg(0))
		return
	}
	if v == 0 && n.Name() != "vrrp_garp_lower_prio_repeat" {
		t.errorf(n.Pos, "%s must be greater than 0, setting to 1", n.Name())
		v = 1
	}
	switch n.Name() {
	case "vrrp_garp_master_repeat":
		g.GarpMasterRepeat = int(v)
	case "vrrp_garp_master_refresh_repeat":
		g.GarpMasterRefreshRepeat = int(v)
	default:
		g.GarpLowerPrioRepeat = int(v)
	}
}

// gdVRRPMinGarp types vrrp_min_garp.
func gdVRRPMinGarp(t *typer, n *Node) {
	g := &t.cfg.Global
	g.MinGarp = t.optBool(n, true)
}

// gdVRRPLowerPrioNoAdvert types vrrp_lower_prio_no_advert.
func gdVRRPLowerPrioNoAdvert(t *typer, n *Node) {
	g := &t.cfg.Global
	g.LowerPrioNoAdvert = t.optBool(n, true)
}

// gdVRRPHigherPrioSendAdvert types vrrp_higher_prio_send_advert.
func gdVRRPHigherPrioSendAdvert(t *typer, n *Node) {
	g := &t.cfg.Global
	g.HigherPrioSendAdvert = t.optBool(n, true)
}

// gdVRRPDownTimerAdverts types vrrp_down_timer_adverts.
func gdVRRPDownTimerAdverts(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "Invalid vrrp_down_timer_adverts [%s:%s] '%s'", n.Keyword.Range.lo(), n.Keyword.Range.hi(), n.Arg(0))
		return
	}
	g.DownTimerAdverts = int(v)
}

// gdVRRPVersion types vrrp_version.
func gdVRRPVersion(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.integer(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "VRRP Error: Version must be either 2 or 3")
		return
	}
	g.Version = int(v)
}

// gdMcastGroup types vrrp_mcast_group4, vrrp_mcast_group6.
func gdMcastGroup(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	a, err := netip.ParseAddr(n.Arg(0))
	want4 := n.Name() == "vrrp_mcast_group4"
	if err != nil || a.Is4() != want4 || !a.IsMulticast() {
		t.errorf(n.Pos, "Can't parse %s [%s]. Skipping", n.Name(), n.Arg(0))
		return
	}
	if want4 {
		g.McastGroup4 = a
	} else {
		g.McastGroup6 = a
	}
}

// gdVRRPCheckUnicastSrc types vrrp_check_unicast_src.
func gdVRRPCheckUnicastSrc(t *typer, n *Node) {
	g := &t.cfg.Global
	g.CheckUnicastSrc = true
}

// gdVRRPIptables types vrrp_iptables.
func gdVRRPIptables(t *typer, n *Node) {
	g := &t.cfg.Global
	// Debian's keepalived 2.2.7 is built without iptables support
	t.add(n.Pos, ClassGeneral, "use `nftables` in global_defs", "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option")
	g.Iptables = argsText(n)
	if g.UseNftables {
		return
	}
	g.UseNftables = true
	g.NftablesTable = "keepalived"
}

// gdNftables types nftables.
func gdNftables(t *typer, n *Node) {
	g := &t.cfg.Global
	if g.UseNftables {
		t.errorf(n.Pos, "nftables already specified - ignoring")
		return
	}
	g.UseNftables = true
	g.NftablesTable = "keepalived"
	if len(n.Args) > 0 {
		g.NftablesTable = n.Arg(0)
	}
}

// gdNftablesPriority types nftables_priority.
func gdNftablesPriority(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.integer(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "invalid nftables chain priority '%s'", n.Arg(0))
		return
	}
	g.NftablesPriority = int(v)
}

// gdNftablesCounters types nftables_counters.
func gdNftablesCounters(t *typer, n *Node) {
	g := &t.cfg.Global
	g.NftablesCounters = true
}

// gdNftablesIfindex types nftables_ifindex.
func gdNftablesIfindex(t *typer, n *Node) {
	g := &t.cfg.Global
	g.NftablesIfindex = true
}

// gdScriptUser types script_user.
func gdScriptUser(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	g.ScriptUser, g.ScriptGroup = n.Arg(0), n.Arg(1)
	if g.ScriptGroup != "" {
		t.refuse(n.Pos, "script_user group", "", "the group '%s' of script_user is parsed but not supported by gokeepalived yet: scripts run with the primary group of %s", g.ScriptGroup, g.ScriptUser)
	}
}

// gdEnableScriptSecurity types enable_script_security.
func gdEnableScriptSecurity(t *typer, n *Node) {
	g := &t.cfg.Global
	g.EnableScriptSecurity = true
}

// gdNotifyFIFO types notify_fifo, vrrp_notify_fifo.
func gdNotifyFIFO(t *typer, n *Node) {
	g := &t.cfg.Global
	if n.Name() == "notify_fifo" {
		g.NotifyFIFO = n.Arg(0)
	} else {
		g.VRRPNotifyFIFO = n.Arg(0)
	}
	if len(n.Args) > 1 {
		// keepalived gives the FIFO to that user (and group)
		t.refuse(n.Pos, n.Name()+" user", "", "the user and group of %s are parsed but not supported by gokeepalived yet: the FIFO belongs to root", n.Name())
	}
}

// gdNotifyFIFOScript types notify_fifo_script.
func gdNotifyFIFOScript(t *typer, n *Node) {
	g := &t.cfg.Global
	g.NotifyFIFOScript = rawArgs(n)
	t.hasScripts = t.hasScripts || t.usableScript(g.NotifyFIFOScript)
}

// gdVRRPNotifyFIFOScript types vrrp_notify_fifo_script.
func gdVRRPNotifyFIFOScript(t *typer, n *Node) {
	g := &t.cfg.Global
	g.VRRPNotifyFIFOScript = rawArgs(n)
	t.hasScripts = t.hasScripts || t.usableScript(g.VRRPNotifyFIFOScript)
}

// gdVRRPNotifyPriorityChanges types vrrp_notify_priority_changes.
func gdVRRPNotifyPriorityChanges(t *typer, n *Node) {
	g := &t.cfg.Global
	g.NotifyPriorityChanges = t.optBool(n, true)
}

// gdVRRPStartupDelay types vrrp_startup_delay.
func gdVRRPStartupDelay(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.double(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "vrrp_startup_delay '%s' is invalid", n.Arg(0))
		return
	}
	g.StartupDelay = seconds(v)
}

// gdDynamicInterfaces types dynamic_interfaces.
func gdDynamicInterfaces(t *typer, n *Node) {
	g := &t.cfg.Global
	g.DynamicInterfaces = true
}

// gdDefaultInterface types default_interface.
func gdDefaultInterface(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	g.DefaultInterface = n.Arg(0)
}

// gdVMACPrefix types vmac_prefix.
func gdVMACPrefix(t *typer, n *Node) {
	g := &t.cfg.Global
	if !t.need(n, 1) {
		return
	}
	g.VMACPrefix = n.Arg(0)
}
