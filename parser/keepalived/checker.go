package keepalived

import (
	"fmt"
	"net/netip"
)

// The checker (IPVS) side of keepalived.conf: virtual_server and
// virtual_server_group. gokeepalived does not run IPVS (every virtual_server
// is unsupported: -t fails and the daemon refuses the file unless the
// operator passes --allow-unsupported), but `-t` reproduces the
// messages keepalived 2.2.7's checker process prints at the end of its parse
// (its validate_check_config), so this file models the part of the virtual
// server that those messages depend on and the rewrites between them: a
// message printed after a rewrite shows the rewritten value (the protocol
// "none" becomes "udp", a fwmark service loses its protocol).

// IPVSConfig is the checker process's view of the configuration.
type IPVSConfig struct {
	Groups         map[string]*VSGroup
	VirtualServers []*VirtualServer
}

// VSGroup is a virtual_server_group: address ranges and firewall marks.
type VSGroup struct {
	Name    string
	Pos     Pos
	Ranges  []VSGRange
	Fwmarks []uint32
	// fwmarkFamily is each fwmark's "inet"/"inet6", "" when not given
	fwmarkFamily []string
}

// fits says whether a service of the family of addr can use the group:
// every address, and every fwmark given a family, must be of that family.
func (g *VSGroup) fits(addr netip.Addr) bool {
	for _, r := range g.Ranges {
		if r.Start.Is4() != addr.Is4() {
			return false
		}
	}
	for _, f := range g.fwmarkFamily {
		if f != "" && (f == "inet") != addr.Is4() {
			return false
		}
	}
	return true
}

// VSGRange is one "IP[-END] [PORT]" line of a virtual_server_group.
type VSGRange struct {
	Start, End netip.Addr // End == Start for a single address
	Port       int
}

// Forwarding methods (lb_kind / lvs_method), keepalived's spelling.
const (
	FwdNAT = "NAT"
	FwdDR  = "DR"
	FwdTUN = "TUN"
)

// DefaultScheduler is IPVS_DEF_SCHED, set when lb_algo is missing or invalid.
const DefaultScheduler = "wlc"

// defaultPersistence is IPVS_SVC_PERSISTENT_TIMEOUT, in seconds.
const defaultPersistence = 360

// ipvsSchedulers are the lb_algo values keepalived 2.2.7 accepts
// (case-sensitive).
var ipvsSchedulers = map[string]bool{
	"rr": true, "wrr": true, "lc": true, "wlc": true, "lblc": true, "sh": true, "mh": true,
	"dh": true, "fo": true, "ovf": true, "lblcr": true, "sed": true, "nq": true,
}

// VirtualServer is one virtual_server block. Exactly one of Group, Fwmark
// (IsFwmark) and Addr says what the service is.
type VirtualServer struct {
	Pos      Pos
	Group    string // "virtual_server group NAME"
	IsFwmark bool   // "virtual_server fwmark N"
	Fwmark   uint32
	Addr     netip.Addr // "virtual_server IP [PORT]"
	Port     int
	// Protocol is "tcp", "udp", "sctp" or "" (none set).
	Protocol           string
	Scheduler          string // "" when lb_algo is missing or was invalid
	Forwarding         string // FwdNAT, FwdDR, FwdTUN or "" (none set)
	PersistenceTimeout int    // seconds, 0 = not persistent
	// Flags are the service flags given (ops, flag-1..3, sh-port, ...).
	Flags     []string
	HASuspend bool
	// Weight is the default weight of the real servers (virtual_server's
	// weight keyword, 1 by default).
	Weight int
	// Quorum is the total weight of live real servers the service needs
	// (default 1); Hysteresis the margin around it (default 0). keepalived
	// keeps both unsigned, so a hysteresis reduced below quorum 0 wraps.
	Quorum, Hysteresis uint32
	RealServers        []*RealServer
	Sorry              *RealServer // sorry_server, nil when none
	// family: an address of the service's family (its own, or its first
	// real server's not tunnelled), invalid while unknown; typed by the
	// parser (Validate drops a group service whose group does not fit it)
	family netip.Addr
}

// NewVirtualServer returns a virtual server with keepalived's defaults.
func NewVirtualServer(pos Pos) *VirtualServer {
	return &VirtualServer{Pos: pos, Weight: 1, Quorum: 1}
}

// RealServer is a real_server (or the sorry_server) of a virtual server.
type RealServer struct {
	Pos        Pos
	Addr       netip.Addr
	Port       int    // 0 when not given
	Forwarding string // lvs_method of the real server, "" = the virtual server's
	Weight     *int   // nil: the virtual server's weight
}

func (rs *RealServer) weight(vs *VirtualServer) int {
	if rs.Weight != nil {
		return *rs.Weight
	}
	return vs.Weight
}

// trio renders an address the way keepalived's inet_sockaddrtotrio does:
// "[IP]:PROTO:PORT", PROTO "none" when no protocol is set.
func trio(a netip.Addr, proto string, port int) string {
	if proto == "" {
		proto = "none"
	}
	return fmt.Sprintf("[%s]:%s:%d", a, proto, port)
}

// name is keepalived's FMT_VS.
func (vs *VirtualServer) name() string {
	switch {
	case vs.Group != "":
		return fmt.Sprintf("[%s]:0", vs.Group)
	case vs.IsFwmark:
		return fmt.Sprintf("FWM %d", vs.Fwmark)
	}
	return trio(vs.Addr, vs.Protocol, vs.Port)
}

// rsName is keepalived's FMT_RS: the real server with the virtual server's
// protocol.
func (vs *VirtualServer) rsName(rs *RealServer) string {
	return trio(rs.Addr, vs.Protocol, rs.Port)
}

// String is keepalived's format_vsge: "IP,PORT" or "START-END,PORT".
func (r VSGRange) String() string {
	if r.End != r.Start {
		return fmt.Sprintf("%s-%s,%d", r.Start, r.End, r.Port)
	}
	return fmt.Sprintf("%s,%d", r.Start, r.Port)
}

// Validate applies keepalived 2.2.7's end-of-parse checks of the checker
// process to c, in keepalived's order, and returns its messages (none
// carries a position). Virtual servers without real servers, or naming a
// group that does not exist, are removed.
func (c *IPVSConfig) Validate() []string {
	var msgs []string
	say := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	kept := c.VirtualServers[:0]
	for _, vs := range c.VirtualServers {
		var g *VSGroup
		if vs.Group != "" {
			// keepalived drops a service whose group is unknown without a word
			if g = c.Groups[vs.Group]; g == nil {
				continue
			}
			// nor one whose real servers' family the group does not match
			if vs.family.IsValid() && !g.fits(vs.family) {
				continue
			}
		}
		if len(vs.RealServers) == 0 {
			say("Virtual server %s has no real servers - ignoring", vs.name())
			continue
		}
		kept = append(kept, vs)
		if vs.HASuspend && (vs.IsFwmark || (g != nil && len(g.Fwmarks) > 0)) {
			say("Virtual server %s: cannot use ha_suspend with fwmarks - clearing ha_suspend", vs.name())
			vs.HASuspend = false
		}
		byAddress := (g != nil && len(g.Ranges) > 0) || (g == nil && !vs.IsFwmark)
		if byAddress {
			if vs.Protocol == "" {
				// the kernel would take protocol 0 as UDP: keepalived says so
				say("Virtual server %s: no protocol set - defaulting to UDP", vs.name())
				vs.Protocol = "udp"
			}
			if vs.hasFlag("ops") && vs.Protocol != "udp" {
				say("Virtual server %s: one packet scheduling requires UDP - resetting", vs.name())
				vs.Flags = removeString(vs.Flags, "ops")
			}
			if vs.PersistenceTimeout == 0 && g == nil && vs.Port == 0 {
				say("Virtual server %s: zero port only valid for persistent services - setting", vs.name())
				vs.PersistenceTimeout = defaultPersistence
			}
		}
		if vs.PersistenceTimeout == 0 && g != nil {
			for _, r := range g.Ranges {
				if r.Port == 0 {
					say("Virtual server %s: zero port only valid for persistent services - setting", vs.name())
					vs.PersistenceTimeout = defaultPersistence
					break
				}
			}
		}
		fwmarkOnly := (g != nil && len(g.Ranges) == 0 && len(g.Fwmarks) > 0) || (g == nil && vs.IsFwmark)
		if vs.Protocol != "" && fwmarkOnly {
			say("Warning: Virtual server %s: protocol specified for fwmark - protocol will be ignored", vs.name())
			vs.Protocol = ""
		}
		if vs.Scheduler == "" {
			say("Virtual server %s: no scheduler set, setting default '%s'", vs.name(), DefaultScheduler)
			vs.Scheduler = DefaultScheduler
		}
		defaultFwd := func(rs *RealServer) {
			if rs.Forwarding != "" {
				return
			}
			if vs.Forwarding == "" {
				say("Virtual server %s: no forwarding method set, setting default NAT", vs.name())
				vs.Forwarding = FwdNAT
			}
			rs.Forwarding = vs.Forwarding
		}
		var weightSum uint32
		rss := vs.RealServers[:0]
		for _, rs := range vs.RealServers {
			if dup := vs.duplicate(rs, rss); dup {
				say("VS %s: real server %s is duplicated - removing second rs", vs.name(), vs.rsName(rs))
				continue
			}
			rss = append(rss, rs)
			defaultFwd(rs)
			weightSum += uint32(rs.weight(vs))
		}
		vs.RealServers = rss
		if vs.Sorry != nil {
			defaultFwd(vs.Sorry)
		}
		// a quorum above the total weight could never be reached
		if vs.Quorum > weightSum {
			say("Warning - quorum %d for %s exceeds total weight of real servers %d, reducing quorum to %d", vs.Quorum, vs.name(), weightSum, weightSum)
			vs.Quorum = weightSum
		}
		if vs.Hysteresis >= vs.Quorum {
			say("Virtual server %s: hysteresis %d >= quorum %d; setting hysteresis to %d", vs.name(), vs.Hysteresis, vs.Quorum, vs.Quorum-1)
			vs.Hysteresis = vs.Quorum - 1
		}
		msgs = append(msgs, vs.checkPorts(g)...)
	}
	c.VirtualServers = kept
	return msgs
}

// duplicate says whether rs repeats a real server already kept (same
// address and port).
func (vs *VirtualServer) duplicate(rs *RealServer, kept []*RealServer) bool {
	for _, k := range kept {
		if k.Addr == rs.Addr && k.Port == rs.Port {
			return true
		}
	}
	return false
}

// checkPorts: unless NAT, a real server answers on the virtual server's
// port (direct routing and tunnels cannot translate it), and behind a
// firewall mark it has no port at all.
func (vs *VirtualServer) checkPorts(g *VSGroup) []string {
	var msgs []string
	say := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if g != nil {
		if len(g.Fwmarks) > 0 {
			for _, rs := range vs.RealServers {
				if rs.Forwarding != FwdNAT && rs.Port != 0 {
					say("WARNING - fwmark virtual server %s, real server %s has port specified - port will be ignored", vs.name(), vs.rsName(rs))
				}
			}
		}
		ss := vs.Sorry
		if len(g.Fwmarks) > 0 && ss != nil && ss.Forwarding != FwdNAT && ss.Port != 0 {
			say("WARNING - fwmark virtual server %s, sorry server has port specified - port will be ignored", vs.name())
		}
		for _, r := range g.Ranges {
			for _, rs := range vs.RealServers {
				if rs.Forwarding != FwdNAT && rs.Port != 0 && rs.Port != r.Port {
					say("virtual server %s:[%s] and real server %s ports don't match", vs.name(), r, vs.rsName(rs))
				}
			}
			if ss != nil && ss.Forwarding != FwdNAT && ss.Port != 0 && ss.Port != r.Port {
				say("WARNING - virtual server %s, sorry server has port specified - port will be ignored", vs.name())
			}
		}
		return msgs
	}
	for _, rs := range vs.RealServers {
		switch {
		case rs.Forwarding == FwdNAT:
			if !vs.IsFwmark && rs.Port == 0 {
				rs.Port = vs.Port
			}
		case vs.IsFwmark:
			if rs.Port != 0 {
				say("WARNING - fwmark virtual server %s, real server %s has port specified - clearing", vs.name(), vs.rsName(rs))
				rs.Port = 0
			}
		case rs.Port == 0:
			rs.Port = vs.Port
		case rs.Port != vs.Port:
			say("WARNING - virtual server %s and real server %s ports don't match - resetting", vs.name(), vs.rsName(rs))
			rs.Port = vs.Port
		}
	}
	if ss := vs.Sorry; ss != nil && ss.Forwarding != FwdNAT {
		switch {
		case vs.IsFwmark:
			if ss.Port != 0 {
				say("WARNING - virtual server %s, sorry server has port specified - clearing", vs.name())
				ss.Port = 0
			}
		case ss.Port == 0:
			ss.Port = vs.Port
		case ss.Port != vs.Port:
			say("WARNING - virtual server %s and sorry server ports don't match - resetting", vs.name())
			ss.Port = vs.Port
		}
	}
	return msgs
}

func (vs *VirtualServer) hasFlag(f string) bool {
	for _, x := range vs.Flags {
		if x == f {
			return true
		}
	}
	return false
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
