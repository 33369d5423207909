package keepalived

import (
	"net/netip"
	"strconv"
	"strings"
)

// Handlers of the vrrp_instance rows about addresses: VIPs and eVIPs (one
// family per instance), source addresses and unicast peers.

// instVIPs types virtual_ipaddress, virtual_ipaddress_excluded.
func instVIPs(t *typer, n *Node) {
	in := t.inst
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
}

// instUnicastSrcIP types unicast_src_ip.
func instUnicastSrcIP(t *typer, n *Node) {
	in := t.inst
	if !t.need(n, 1) {
		return
	}
	a, err := netip.ParseAddr(n.Arg(0))
	if err != nil {
		t.errorf(n.Pos, "Configuration error: VRRP instance[%s] malformed src address[%s]. Skipping...", in.Name, n.Arg(0))
		return
	}
	in.UnicastSrc = a
}

// instMcastSrcIP types mcast_src_ip.
func instMcastSrcIP(t *typer, n *Node) {
	in := t.inst
	if !t.need(n, 1) {
		return
	}
	a, err := netip.ParseAddr(n.Arg(0))
	if err != nil {
		t.errorf(n.Pos, "Configuration error: VRRP instance[%s] malformed mcast src address[%s]. Skipping...", in.Name, n.Arg(0))
		return
	}
	in.McastSrc = a
}

// instMcastDstIP types mcast_dst_ip.
func instMcastDstIP(t *typer, n *Node) {
	in := t.inst
	if a, err := netip.ParseAddr(n.Arg(0)); err == nil {
		in.McastDst = a
	}
}

// instUnicastPeer types unicast_peer.
func instUnicastPeer(t *typer, n *Node) {
	in := t.inst
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
