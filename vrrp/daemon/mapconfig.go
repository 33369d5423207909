package daemon

import (
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	ka "github.com/goha-lb/goha/parser/keepalived"
	"github.com/goha-lb/goha/vrrp"
	"github.com/goha-lb/goha/vrrp/netio"
	"golang.org/x/sys/unix"
)

// Config is a keepalived.conf in the form the runner executes: one effective
// vrrp.InstanceConfig per vrrp_instance plus what lives around the state
// machine (sockets, addresses, trackers, notify scripts).
type Config struct {
	Instances      []InstanceSpec
	SyncGroups     []SyncGroupSpec
	Scripts        map[string]ScriptSpec
	TrackFiles     map[string]TrackFileSpec
	TrackProcesses map[string]TrackProcessSpec

	// GarpInterval / GnaInterval are vrrp_garp_interval / vrrp_gna_interval:
	// the minimum gap between two gratuitous ARPs (NAs) on one interface.
	GarpInterval time.Duration
	GnaInterval  time.Duration
	// GarpGroups are the garp_group blocks: their interfaces share one
	// pace instead of the global intervals (garp.go).
	GarpGroups []GarpPace

	// FirewallTable is the nftables table of the no-accept drop rules.
	FirewallTable    string
	FirewallPriority int

	RouterID string // router_id, for the data dump
	// Notices name configured features the runtime does not run, logged at
	// start so that nothing is silently ignored.
	Notices []string

	// StaticAddrs / StaticRoutes / StaticRules are static_ipaddress,
	// static_routes and static_rules: installed at start, removed on stop.
	StaticAddrs  []VIP
	StaticRoutes []Route
	StaticRules  []Rule

	NotifyFIFO string // notify_fifo / vrrp_notify_fifo: state lines written here
	// StartupDelay is vrrp_startup_delay: the first master-down timer of
	// the instances started with the daemon runs from its end.
	StartupDelay time.Duration
	ScriptUser   string // script_user (keepalived_script when it exists, else root)
	ScriptGroup  string
	Mail         *MailSpec // email alerts (mapconfig_mail.go); nil: no smtp_server
	Email        ka.Email  // global_defs' email settings as written (data dump)
}

// GarpPace is one garp_group: Garp / Gna are the gaps between two GARPs
// (NAs) on any of Interfaces, 0 when not paced (the interval not given).
type GarpPace struct {
	Interfaces []string
	Garp, Gna  time.Duration
}

// InstanceSpec is one vrrp_instance ready to run.
type InstanceSpec struct {
	vrrp.InstanceConfig
	// Addrs holds how each VIP (and excluded VIP) is put on an interface.
	Addrs map[netip.Addr]VIP
	// Group is the multicast destination (224.0.0.18, ff02::12,
	// vrrp_mcast_group4/6 or mcast_dst_ip); unused with unicast peers.
	Group netip.Addr

	TrackInterfaces []Tracker
	TrackScripts    []Tracker
	TrackFiles      []Tracker
	TrackProcesses  []Tracker
	Notify          NotifySpec
	// NotifyPriorityChanges is notify_priority_changes (or the global
	// vrrp_notify_priority_changes): effective priority changes are
	// written to the notify FIFO as `INSTANCE "name" STATE_PRIORITY prio`.
	NotifyPriorityChanges bool
	SMTPAlert             bool // smtp_alert, effective (mail.go)
	// PromoteSecondaries is promote_secondaries (hostnet.go).
	PromoteSecondaries bool
	// NoPeerFault is unicast_fault_no_peer without any unicast peer: the
	// instance stays in FAULT (track.go:trackState).
	NoPeerFault bool
	SyncGroup   string // "" when not in a vrrp_sync_group
	Strict      bool   // vrrp_strict / strict_mode (already applied; for the data dump)

	// VMAC is use_vmac; Interface is then the VMAC's name (where the VIPs,
	// gratuitous ARPs and, unless vmac_xmit_base, the adverts go).
	VMAC *VMACSpec
	// Routes and Rules are virtual_routes / virtual_rules, installed while MASTER.
	Routes []Route
	Rules  []Rule
}

// VIP is one virtual_ipaddress line as it goes on an interface.
type VIP struct {
	Prefix    netip.Prefix
	Broadcast netip.Addr
	Label     string
	Scope     uint8
	Dev       string // "" = the instance's interface
	// Peer, DAD, PreferredLft/HasPreferredLft and Flags (IFA_F_*) are
	// the VIP line's peer, -nodad, preferred_lft and home / mngtmpaddr /
	// noprefixroute / autojoin (see netio.VIP).
	Peer            netip.Addr
	DAD             bool
	PreferredLft    uint32
	HasPreferredLft bool
	Flags           uint32
	// NoTrack is no_track: a VIP on another interface (Dev) otherwise
	// puts the instance in FAULT while that interface is down.
	NoTrack bool
}

// Tracker is one track_interface / track_script / track_file reference
// with the weight in force (the script's own weight unless overridden).
type Tracker struct {
	Name    string
	Weight  int
	Reverse bool
}

// NotifySpec are the notify scripts of an instance or sync group.
type NotifySpec struct {
	Master, Backup, Fault, Stop, Generic string
	Deleted                              string // notify_deleted (instances only)
}

// SyncGroupSpec is a vrrp_sync_group.
type SyncGroupSpec struct {
	Name      string
	Members   []string
	Notify    NotifySpec
	SMTPAlert bool // smtp_alert, effective (mail.go)
}

// ScriptSpec is a vrrp_script.
type ScriptSpec struct {
	Name     string
	Script   string
	Interval time.Duration
	Timeout  time.Duration
	Weight   int
	Reverse  bool
	Rise     int
	Fall     int
	User     string
	Group    string
	InitFail bool
}

// TrackFileSpec is a track_file block.
type TrackFileSpec struct {
	Name      string
	File      string
	Weight    int
	Reverse   bool
	InitFile  bool
	InitValue int
}

// PrimaryAddr returns the address keepalived uses as advert source on an
// interface: its primary IPv4 address, or its first IPv6 link-local one.
type PrimaryAddr func(ifname string, ipv6 bool) (netip.Addr, error)

// MapConfig turns the parser's typed configuration into the runnable one,
// applying the effective rules keepalived applies when it starts instances
// (vrrp_min_garp, the source address, IPv6 → VRRPv3, no-accept). An
// instance that cannot run (no source address) is left out and reported.
func MapConfig(c *ka.Config, primary PrimaryAddr) (*Config, []error) {
	g := &c.Global
	out := &Config{
		Scripts:          map[string]ScriptSpec{},
		TrackFiles:       map[string]TrackFileSpec{},
		TrackProcesses:   map[string]TrackProcessSpec{},
		GarpInterval:     g.GarpInterval,
		GnaInterval:      g.GnaInterval,
		FirewallTable:    g.NftablesTable,
		FirewallPriority: g.NftablesPriority,
		ScriptUser:       g.ScriptUser,
		ScriptGroup:      g.ScriptGroup,
		NotifyFIFO:       g.VRRPNotifyFIFO,
		RouterID:         g.RouterID,
		StartupDelay:     g.StartupDelay,
	}
	for _, gg := range c.GarpGroups {
		out.GarpGroups = append(out.GarpGroups, GarpPace{Interfaces: gg.Interfaces, Garp: gg.GarpInterval, Gna: gg.GnaInterval})
	}
	if out.FirewallTable == "" {
		out.FirewallTable = "keepalived"
	}
	if out.FirewallPriority == 0 {
		out.FirewallPriority = -1
	}
	if out.NotifyFIFO == "" {
		out.NotifyFIFO = g.NotifyFIFO
	}
	for name, s := range c.Scripts {
		out.Scripts[name] = ScriptSpec{Name: s.Name, Script: s.Script, Interval: s.Interval, Timeout: s.Timeout,
			Weight: s.Weight, Reverse: s.Reverse, Rise: max(s.Rise, 1), Fall: max(s.Fall, 1),
			User: s.User, Group: s.Group, InitFail: s.InitFail}
	}
	for name, f := range c.TrackFiles {
		out.TrackFiles[name] = TrackFileSpec{Name: f.Name, File: f.File, Weight: f.Weight, Reverse: f.Reverse,
			InitFile: f.InitFile, InitValue: f.InitValue}
	}
	for name, p := range c.TrackProcesses {
		out.TrackProcesses[name] = TrackProcessSpec{Name: p.Name, Process: p.Process, Params: p.Params, Match: p.ParamMatch,
			CommandLine: p.CommandLine(), Weight: p.Weight, Reverse: p.Reverse, Quorum: p.Quorum, QuorumMax: p.QuorumMax,
			ForkDelay: p.ForkDelay, TerminateDelay: p.TerminateDelay}
	}
	groupOf := map[string]*ka.SyncGroup{}
	for _, sg := range c.SyncGroups {
		ns := NotifySpec{Master: sg.NotifyMaster, Backup: sg.NotifyBackup, Fault: sg.NotifyFault, Stop: sg.NotifyStop, Generic: sg.Notify}
		secureNotify(g, &ns, &out.Notices)
		out.SyncGroups = append(out.SyncGroups, SyncGroupSpec{Name: sg.Name, Members: sg.Members, Notify: ns,
			SMTPAlert: smtpAlert(&g.Email, sg.SMTPAlert)})
		for _, m := range sg.Members {
			groupOf[m] = sg
		}
	}
	var errs []error
	for _, in := range c.Instances {
		spec, err := mapInstance(g, in, primary, out)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		spec.SMTPAlert = smtpAlert(&g.Email, in.SMTPAlert)
		if sg := groupOf[in.Name]; sg != nil {
			if !sg.TrackingWeight {
				syncMemberTrackers(&spec, &out.Notices)
			}
			// A sync group's trackers apply to every member.
			spec.SyncGroup = sg.Name
			spec.TrackInterfaces = append(spec.TrackInterfaces, trackers(sg.TrackInterfaces, nil)...)
			spec.TrackScripts = append(spec.TrackScripts, trackers(sg.TrackScripts, scriptWeights(out.Scripts))...)
			spec.TrackFiles = append(spec.TrackFiles, trackers(sg.TrackFiles, fileWeights(out.TrackFiles))...)
			spec.TrackProcesses = groupProcesses(&spec, sg, &out.Notices)
		}
		out.Instances = append(out.Instances, spec)
	}
	mapStatic(c, out)
	mapMail(g, out)
	assignRulePriorities(c, out)
	return out, errs
}

// scriptMode stats a notify script's program (ok false: missing); a
// variable so that tests need no real files.
var scriptMode = func(p string) (fs.FileMode, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return 0, false
	}
	return st.Mode(), true
}

// secureNotify applies enable_script_security to notify scripts as
// keepalived 2.2.7 does when it starts (seen in a namespace; -t says
// nothing): a program others may modify is not run, logged "Unsafe
// permissions found for script '...' - disabling." once per use.
func secureNotify(g *ka.GlobalDefs, ns *NotifySpec, notices *[]string) {
	if !g.EnableScriptSecurity {
		return
	}
	for _, s := range []*string{&ns.Generic, &ns.Backup, &ns.Master, &ns.Fault, &ns.Stop, &ns.Deleted} {
		argv := splitCommand(*s)
		if len(argv) == 0 {
			continue
		}
		if m, ok := scriptMode(argv[0]); ok && (m.IsDir() || m.Perm()&0o022 != 0) {
			*notices = append(*notices, fmt.Sprintf("Unsafe permissions found for script '%s' - disabling.", argv[0]))
			*s = ""
		}
	}
}

// syncMemberTrackers applies keepalived 2.2.7's rule for the own trackers
// of a sync-group member without sync_group_tracking_weight: a weighted
// script is dropped, a track file of the default weight 1 becomes
// unweighted (a non-zero value is then a FAULT) and one of another weight
// is dropped. A weighted interface is only logged: keepalived 2.2.7 says
// it ignores the weight but still applies it (seen in a namespace: the
// priority follows the interface). The sync group's own trackers are not
// concerned.
func syncMemberTrackers(spec *InstanceSpec, notices *[]string) {
	for _, t := range spec.TrackInterfaces {
		if t.Weight != 0 {
			*notices = append(*notices, fmt.Sprintf("(%s) ignoring %s tracked interface weight due to SYNC group", spec.Name, t.Name))
		}
	}
	scripts := spec.TrackScripts[:0:0]
	for _, t := range spec.TrackScripts {
		if t.Weight != 0 {
			*notices = append(*notices, fmt.Sprintf("(%s) ignoring tracked script %s with weights due to SYNC group", spec.Name, t.Name))
			continue
		}
		scripts = append(scripts, t)
	}
	spec.TrackScripts = scripts
	files := spec.TrackFiles[:0:0]
	for _, t := range spec.TrackFiles {
		switch t.Weight {
		case 0:
		case 1:
			*notices = append(*notices, fmt.Sprintf("(%s) ignoring weight from tracked file %s due to SYNC group. specify weight 0", spec.Name, t.Name))
			t.Weight = 0
		default:
			*notices = append(*notices, fmt.Sprintf("(%s) ignoring tracked file %s with weight %d due to SYNC group", spec.Name, t.Name, t.Weight))
			continue
		}
		files = append(files, t)
	}
	spec.TrackFiles = files
}

// groupProcesses adds a sync group's track_process entries to a member's
// own, which keep their weights (keepalived 2.2.7 has no SYNC group rule
// for them: measured, a member's weight -20 still counts). A process both
// track is the group's only, logged as keepalived logs it.
func groupProcesses(spec *InstanceSpec, sg *ka.SyncGroup, notices *[]string) []Tracker {
	group := trackers(sg.TrackProcesses, nil)
	var out []Tracker
	for _, t := range spec.TrackProcesses {
		if slices.ContainsFunc(group, func(g Tracker) bool { return g.Name == t.Name }) {
			*notices = append(*notices, fmt.Sprintf("(%s) track_process %s is configured on VRRP instance and sync group. Remove vrrp instance config", spec.Name, t.Name))
			continue
		}
		out = append(out, t)
	}
	return append(out, group...)
}

func scriptWeights(m map[string]ScriptSpec) func(string) (int, bool) {
	return func(n string) (int, bool) { s := m[n]; return s.Weight, s.Reverse }
}

func fileWeights(m map[string]TrackFileSpec) func(string) (int, bool) {
	return func(n string) (int, bool) { f := m[n]; return f.Weight, f.Reverse }
}

// trackers resolves weights: the reference's own weight unless given on the
// track line (def nil: 0, as track_interface).
func trackers(ts []ka.Tracked, def func(string) (int, bool)) []Tracker {
	var out []Tracker
	for _, t := range ts {
		tr := Tracker{Name: t.Name, Weight: t.Weight, Reverse: t.Reverse}
		if !t.HasWeight && def != nil {
			tr.Weight, tr.Reverse = def(t.Name)
		}
		out = append(out, tr)
	}
	return out
}

func mapInstance(g *ka.GlobalDefs, in *ka.Instance, primary PrimaryAddr, cfg *Config) (InstanceSpec, error) {
	ic := vrrp.DefaultInstanceConfig()
	ic.Name = in.Name
	ic.Interface = in.Interface
	// native_ipv6 forces the family (keepalived refuses it without IPv6
	// VIPs, which already make the instance IPv6: kept for hand-built configs).
	ic.IPv6 = in.IPv6 || in.NativeIPv6
	ic.Version = uint8(in.Version)
	if ic.IPv6 || ic.Version == 0 {
		// keepalived runs IPv6 instances as VRRPv3 whatever vrrp_version says.
		if ic.IPv6 {
			ic.Version = 3
		} else {
			ic.Version = 2
		}
	}
	ic.VRID = uint8(in.VRID)
	prio := in.Priority
	if prio == 0 {
		prio = 100
	}
	ic.Priority = uint8(prio)
	ic.StartMaster = in.State == "MASTER"
	if in.AdvertInt > 0 {
		ic.AdvertInterval = in.AdvertInt
	}
	spec := InstanceSpec{Addrs: map[netip.Addr]VIP{}}
	for _, v := range in.VIPs {
		ic.VIPs = append(ic.VIPs, v.Prefix.Addr())
		spec.Addrs[v.Prefix.Addr()] = mapVIP(v)
	}
	for _, v := range in.ExcludedVIPs {
		ic.ExcludedVIPs = append(ic.ExcludedVIPs, v.Prefix.Addr())
		spec.Addrs[v.Prefix.Addr()] = mapVIP(v)
	}
	if in.AuthType == "PASS" && ic.Version == 2 {
		ic.AuthType = vrrp.AuthPass
		ic.AuthPass = strings.TrimRight(string(in.AuthPass[:]), "\x00")
	}
	for _, p := range in.UnicastPeers {
		ic.UnicastPeers = append(ic.UnicastPeers, p.Addr)
		if p.MinTTL != 0 || p.MaxTTL != 0 {
			if ic.UnicastPeerTTL == nil {
				ic.UnicastPeerTTL = map[netip.Addr]vrrp.TTLRange{}
			}
			r := vrrp.TTLRange{Min: p.MinTTL, Max: p.MaxTTL}
			if r.Max == 0 {
				r.Max = 255
			}
			ic.UnicastPeerTTL[p.Addr] = r
		}
	}
	ic.CheckUnicastSrc = in.CheckUnicastSrc
	ic.SkipCheckAdvAddr = in.SkipCheckAdvAddr
	ic.Nopreempt = in.Nopreempt
	ic.PreemptDelay = in.PreemptDelay
	ic.NoAccept = !in.Accept
	ic.LowerPrioNoAdvert = in.LowerPrioNoAdvert
	ic.HigherPrioSendAdvert = in.HigherPrioSendAdvert
	ic.DontTrackPrimary = in.DontTrackPrimary
	ic.DownTimerAdverts = in.DownTimerAdverts
	ic.GarpMasterDelay = in.GarpMasterDelay
	ic.GarpMasterRepeat = in.GarpMasterRepeat
	ic.GarpMasterRefresh = in.GarpMasterRefresh
	ic.GarpMasterRefreshRepeat = in.GarpMasterRefreshRepeat
	ic.GarpLowerPrioDelay = in.GarpLowerPrioDelay
	ic.GarpLowerPrioRepeat = in.GarpLowerPrioRepeat
	if g.MinGarp {
		// vrrp_min_garp: one GARP on becoming MASTER and no delayed burst,
		// unless the instance set its own values (the parser copies the
		// global defaults into every instance, so compare with them).
		if in.GarpMasterDelay == g.GarpMasterDelay {
			ic.GarpMasterDelay = 0
		}
		if in.GarpMasterRepeat == g.GarpMasterRepeat {
			ic.GarpMasterRepeat = 1
		}
		if !in.Strict && in.GarpLowerPrioRepeat == in.GarpMasterRepeat {
			ic.GarpLowerPrioRepeat = ic.GarpMasterRepeat
			ic.GarpLowerPrioDelay = ic.GarpMasterDelay
		}
	}
	if in.Strict {
		// The parser applies strict mode's rewrites; repeat the ones the
		// state machine depends on so that a hand-built Config is safe too.
		ic.LowerPrioNoAdvert = true
		ic.GarpLowerPrioRepeat = 0
		ic.GarpLowerPrioDelay = 0
	}

	switch {
	case len(in.UnicastPeers) > 0 && in.UnicastSrc.IsValid():
		ic.SrcAddr = in.UnicastSrc
	case len(in.UnicastPeers) == 0 && in.McastSrc.IsValid():
		ic.SrcAddr = in.McastSrc
	case primary != nil:
		a, err := primary(in.Interface, ic.IPv6)
		if err != nil {
			return InstanceSpec{}, fmt.Errorf("(%s) cannot find an IP address to use for interface %s: %w", in.Name, in.Interface, err)
		}
		ic.SrcAddr = a
	}

	spec.Group = in.McastDst
	if !spec.Group.IsValid() {
		if ic.IPv6 {
			spec.Group = g.McastGroup6
			if !spec.Group.IsValid() {
				spec.Group = vrrp.MulticastGroup6
			}
		} else {
			spec.Group = g.McastGroup4
			if !spec.Group.IsValid() {
				spec.Group = vrrp.MulticastGroup4
			}
		}
	}
	if in.UseVMAC {
		name := in.VMACName
		if name == "" {
			name = netio.DefaultVMACName(ic.VRID)
			if g.VMACPrefix != "" {
				// vmac_prefix replaces "vrrp" (keepalived 2.2.7: vx.77).
				name = fmt.Sprintf("%s.%d", g.VMACPrefix, ic.VRID)
			}
		}
		spec.VMAC = &VMACSpec{Name: name, Parent: in.Interface, VRID: ic.VRID, IPv6: ic.IPv6, XmitBase: in.VMACXmitBase,
			Table: cfg.FirewallTable, Priority: cfg.FirewallPriority}
		ic.Interface = name
	}
	spec.Routes, spec.Rules = routesAndRules(in.Name, "virtual_routes", "virtual_rules", in.VirtualRoutes, in.VirtualRules, &cfg.Notices)
	spec.InstanceConfig = ic
	spec.Strict = in.Strict
	spec.TrackInterfaces = trackers(in.TrackInterfaces, nil)
	spec.TrackScripts = trackers(in.TrackScripts, scriptWeights(cfg.Scripts))
	spec.TrackFiles = trackers(in.TrackFiles, fileWeights(cfg.TrackFiles))
	// The parser resolved each entry's weight (its own or the block's).
	spec.TrackProcesses = trackers(in.TrackProcesses, nil)
	spec.TrackInterfaces = append(spec.TrackInterfaces, vipTrackers(&spec, in)...)
	spec.TrackInterfaces = append(spec.TrackInterfaces, routeTrackers(&spec, in.Interface)...)
	spec.NotifyPriorityChanges = in.NotifyPriorityChanges || g.NotifyPriorityChanges
	spec.PromoteSecondaries = in.PromoteSecondaries
	spec.NoPeerFault = in.UnicastFaultNoPeer && len(in.UnicastPeers) == 0
	spec.Notify = NotifySpec{Master: in.NotifyMaster, Backup: in.NotifyBackup, Fault: in.NotifyFault, Stop: in.NotifyStop, Generic: in.Notify,
		Deleted: in.NotifyDeleted}
	secureNotify(g, &spec.Notify, &cfg.Notices)
	return spec, nil
}

func mapVIP(v ka.VIP) VIP {
	out := VIP{Prefix: v.Prefix, Broadcast: v.Broadcast, Label: v.Label, Scope: scopeNumber(v.Scope), Dev: v.Dev,
		Peer: v.Peer.Addr(), DAD: v.NoDAD, NoTrack: v.NoTrack}
	if v.Prefix.Addr().Is6() {
		// keepalived 2.2.7 applies preferred_lft to IPv6 addresses only.
		out.PreferredLft, out.HasPreferredLft = v.PreferredLft, v.HasPreferredLft
	}
	for _, f := range []struct {
		on   bool
		flag uint32
	}{{v.Home, unix.IFA_F_HOMEADDRESS}, {v.MngTmpAddr, unix.IFA_F_MANAGETEMPADDR},
		{v.NoPrefixRoute, unix.IFA_F_NOPREFIXROUTE}, {v.AutoJoin, unix.IFA_F_MCAUTOJOIN}} {
		if f.on {
			out.Flags |= f.flag
		}
	}
	return out
}

// scopeNumber maps `scope` names to rtnetlink's RT_SCOPE_* values.
func scopeNumber(s string) uint8 {
	switch s {
	case "host":
		return 254
	case "link":
		return 253
	case "site":
		return 200
	case "nowhere":
		return 255
	}
	return 0
}
