package keepalived

import "time"

// Handlers of the vrrp_instance rows (keywords_vrrp.go): identity, timers,
// preemption, GARP settings and flags. Each writes into t.inst, the
// instance being typed, and reports in keepalived 2.2.7's words; a numeric
// keyword's bounds come from its row's Range.

// instState types state.
func instState(t *typer, n *Node) {
	in := t.inst
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
}

// instInterface types interface.
func instInterface(t *typer, n *Node) {
	in := t.inst
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
}

// instVRID types virtual_router_id.
func instVRID(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.add(n.Pos, ClassGeneral, "the VRID must be "+r.lo()+".."+r.hi()+" and identical on every router of the pair", "(%s): VRID '%s' not valid - must be between %s & %s", in.Name, n.Arg(0), r.lo(), r.hi())
		return
	}
	in.VRID = int(v)
	t.vridSet[in] = true
}

// instPriority types priority.
func instPriority(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.add(n.Pos, ClassGeneral, "priority is "+r.lo()+".."+r.hi()+" (255 = address owner)", "(%s) Priority not valid! must be between %s & %s. Using default 100", in.Name, r.lo(), r.hi())
		in.Priority = 100
		t.prioSet[in] = true
		return
	}
	in.Priority = int(v)
	t.prioSet[in] = true
}

// instAdvertInt types advert_int.
func instAdvertInt(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.double(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "(%s) Advert interval (%s) not valid! Must be > 0 - ignoring", in.Name, n.Arg(0))
		return
	}
	in.AdvertInt = time.Duration(v*100+0.5) * 10 * time.Millisecond
}

// instVersion types version.
func instVersion(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.integer(n.Arg(0))
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
}

// instNopreempt types nopreempt.
func instNopreempt(t *typer, n *Node) {
	in := t.inst
	in.Nopreempt = true
}

// instPreempt types preempt.
func instPreempt(t *typer, n *Node) {
	in := t.inst
	in.Nopreempt = false
}

// instPreemptDelay types preempt_delay.
func instPreemptDelay(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.double(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "(%s) Preempt_delay not valid! must be between %s-%s", in.Name, r.lo(), r.hi())
		return
	}
	in.PreemptDelay = seconds(v)
}

// instAccept types accept.
func instAccept(t *typer, n *Node) {
	in := t.inst
	in.Accept, in.AcceptSet = true, true
}

// instNoAccept types no_accept.
func instNoAccept(t *typer, n *Node) {
	in := t.inst
	in.Accept, in.AcceptSet = false, true
}

// instStrictMode types strict_mode.
func instStrictMode(t *typer, n *Node) {
	in := t.inst
	in.Strict = t.optBool(n, true)
}

// instAuthentication types authentication.
func instAuthentication(t *typer, n *Node) {
	in := t.inst
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
}

// instGarpMasterRefresh types garp_master_refresh.
func instGarpMasterRefresh(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	// keepalived 2.2.7 reads seconds up to UINT_MAX (not the delays'
	// UINT_MAX/TIMER_HZ) and resets the refresh to off on a bad value.
	v, msg := r.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "(%s): Invalid garp_master_refresh '%s' - ignoring", in.Name, n.Arg(0))
		v = 0
	}
	in.GarpMasterRefresh = time.Duration(v) * time.Second
}

// instGarpDelay types garp_master_delay, garp_lower_prio_delay.
func instGarpDelay(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
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
}

// instGarpRepeat types garp_master_repeat, garp_master_refresh_repeat, garp_lower_prio_repeat.
func instGarpRepeat(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
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
}

// instLowerPrioNoAdvert types lower_prio_no_advert.
func instLowerPrioNoAdvert(t *typer, n *Node) {
	in := t.inst
	in.LowerPrioNoAdvert = t.optBool(n, true)
}

// instHigherPrioSendAdvert types higher_prio_send_advert.
func instHigherPrioSendAdvert(t *typer, n *Node) {
	in := t.inst
	in.HigherPrioSendAdvert = t.optBool(n, true)
}

// instSkipCheckAdvAddr types skip_check_adv_addr.
func instSkipCheckAdvAddr(t *typer, n *Node) {
	in := t.inst
	in.SkipCheckAdvAddr = t.optBool(n, true)
}

// instCheckUnicastSrc types check_unicast_src.
func instCheckUnicastSrc(t *typer, n *Node) {
	in := t.inst
	in.CheckUnicastSrc = true
}

// instUseVMAC types use_vmac.
func instUseVMAC(t *typer, n *Node) {
	in := t.inst
	in.UseVMAC = true
	in.VMACName = n.Arg(0)
}

// instVMACXmitBase types vmac_xmit_base.
func instVMACXmitBase(t *typer, n *Node) {
	in := t.inst
	in.VMACXmitBase = true
}

// instNativeIPv6 types native_ipv6.
func instNativeIPv6(t *typer, n *Node) {
	in := t.inst
	if len(in.VIPs) > 0 && !in.IPv6 {
		t.errorf(n.Pos, "(%s) Cannot specify native_ipv6 with IPv4 addresses", in.Name)
		return
	}
	in.NativeIPv6 = true
}

// instDontTrackPrimary types dont_track_primary.
func instDontTrackPrimary(t *typer, n *Node) {
	in := t.inst
	in.DontTrackPrimary = true
}

// instUnicastTTL types unicast_ttl.
func instUnicastTTL(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		return
	}
	in.UnicastTTL = int(v)
	in.unicastKeyword = true
}

// instDownTimerAdverts types down_timer_adverts.
func instDownTimerAdverts(t *typer, n *Node) {
	in := t.inst
	r := n.Keyword.Range
	if !t.need(n, 1) {
		return
	}
	v, msg := r.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "(%s) down_timer_adverts must be between %s and %s - ignoring", in.Name, r.lo(), r.hi())
		return
	}
	in.DownTimerAdverts = int(v)
}

// instUnicastFaultNoPeer types unicast_fault_no_peer.
func instUnicastFaultNoPeer(t *typer, n *Node) {
	in := t.inst
	in.UnicastFaultNoPeer = true
}

// instPromoteSecondaries types promote_secondaries.
func instPromoteSecondaries(t *typer, n *Node) {
	in := t.inst
	in.PromoteSecondaries = true
}
