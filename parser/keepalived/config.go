package keepalived

import (
	"net/netip"
	"time"
)

// Config is keepalived.conf after keepalived's own rewrites (defaults, strict
// mode, clamping): what the VRRP runtime runs.
type Config struct {
	Global         GlobalDefs
	Instances      []*Instance
	SyncGroups     []*SyncGroup
	Scripts        map[string]*Script
	TrackFiles     map[string]*TrackFile
	TrackProcesses map[string]*TrackProcess
	GarpGroups     []*GarpGroup // garp_group blocks kept (garp_group.go)
	StaticAddrs    []VIP
	StaticRoutes   RouteList
	StaticRules    RuleList
	// Unsupported lists keyword occurrences parsed but not run by gokeepalived.
	Unsupported []Unsupported
}

// Unsupported is a keyword gokeepalived parses but does not implement.
type Unsupported struct {
	Keyword string
	Pos     Pos
}

// RouteList is a static_routes or virtual_routes block typed: the routes
// to install and, apart, the lines gokeepalived leaves out (with why).
type RouteList struct {
	Routes   []Route
	Rejected []RejectedLine
}

// RuleList is a static_rules or virtual_rules block typed (see RouteList).
type RuleList struct {
	Rules    []Rule
	Rejected []RejectedLine
}

// RejectedLine is a route or rule line that is not installed: the grammar
// rejects it, or it uses an option gokeepalived cannot apply (Err is then
// an UnsupportedOptionError). It is reported, never silently dropped.
type RejectedLine struct {
	Words []string
	Pos   Pos
	Err   error
}

// GlobalDefs holds global_defs settings relevant to VRRP and the daemon.
type GlobalDefs struct {
	RouterID                string
	Strict                  bool
	SkipCheckAdvAddr        bool
	GarpInterval            time.Duration // vrrp_garp_interval: min gap between GARPs per interface
	GnaInterval             time.Duration
	GarpMasterDelay         time.Duration // default 5s
	GarpMasterRepeat        int           // default 5
	GarpMasterRefresh       time.Duration // 0 = off
	GarpMasterRefreshRepeat int           // default 1
	GarpLowerPrioDelay      time.Duration // -1 = same as master delay
	GarpLowerPrioRepeat     int           // -1 = same as master repeat
	MinGarp                 bool
	LowerPrioNoAdvert       bool
	HigherPrioSendAdvert    bool
	DownTimerAdverts        int
	Version                 int // 2 or 3
	McastGroup4             netip.Addr
	McastGroup6             netip.Addr
	CheckUnicastSrc         bool
	Iptables                []string // vrrp_iptables chains (IN, OUT); nil when not set
	UseIptables             bool
	NftablesTable           string // "" when nftables not configured explicitly
	UseNftables             bool
	NftablesPriority        int
	NftablesCounters        bool
	NftablesIfindex         bool
	ScriptUser              string
	ScriptGroup             string
	EnableScriptSecurity    bool
	NotifyFIFO              string
	NotifyFIFOScript        string
	VRRPNotifyFIFO          string
	VRRPNotifyFIFOScript    string
	NotifyPriorityChanges   bool
	StartupDelay            time.Duration
	DynamicInterfaces       bool
	DefaultInterface        string
	VMACPrefix              string // vmac_prefix: default VMAC names are PREFIX.VRID ("" = vrrp)
	Email                   Email  // notification_email, smtp_* (email.go)
	Pos                     Pos
}

// Instance is one vrrp_instance, effective values.
type Instance struct {
	Name                    string
	Pos                     Pos
	State                   string // "MASTER" or "BACKUP" (the configured wish)
	Interface               string
	InterfacePos            Pos
	VRID                    int
	Priority                int
	AdvertInt               time.Duration
	Version                 int
	Nopreempt               bool
	PreemptDelay            time.Duration
	Accept                  bool
	AcceptSet               bool // accept/no_accept given explicitly
	Strict                  bool
	AuthType                string // "", "PASS" or "AH"
	authPos                 Pos    // the auth_type line
	AuthPass                [8]byte
	VIPs                    []VIP
	ExcludedVIPs            []VIP
	VirtualRoutes           RouteList
	VirtualRules            RuleList
	UnicastSrc              netip.Addr
	UnicastPeers            []UnicastPeer
	McastSrc                netip.Addr
	McastDst                netip.Addr
	TrackInterfaces         []Tracked
	TrackScripts            []Tracked
	TrackFiles              []Tracked
	TrackProcesses          []Tracked
	NotifyMaster            string
	NotifyBackup            string
	NotifyFault             string
	NotifyStop              string
	Notify                  string
	NotifyDeleted           string
	NotifyMasterRxLowerPri  string
	NotifyPriorityChanges   bool
	SMTPAlert               int // smtp_alert: -1 unset (the global default), 0 off, 1 on
	GarpMasterDelay         time.Duration
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration
	GarpLowerPrioRepeat     int
	LowerPrioNoAdvert       bool
	HigherPrioSendAdvert    bool
	SkipCheckAdvAddr        bool
	CheckUnicastSrc         bool
	UseVMAC                 bool
	VMACName                string
	VMACXmitBase            bool
	NativeIPv6              bool
	DontTrackPrimary        bool
	DownTimerAdverts        int
	UnicastTTL              int
	UnicastFaultNoPeer      bool
	PromoteSecondaries      bool
	IPv6                    bool
	// unicastKeyword: unicast_ttl was given (a unicast-only keyword)
	unicastKeyword bool
}

// VIP is one line of virtual_ipaddress (or static_ipaddress).
type VIP struct {
	Prefix    netip.Prefix
	Broadcast netip.Addr
	Peer      netip.Prefix
	Dev       string
	Scope     string
	Label     string
	// NoTrack is `no_track`: the VIP's `dev` is not tracked (without it
	// that interface going down puts the instance in FAULT).
	NoTrack bool
	// NoDAD is `-nodad`, which keepalived reads as "not nodad": an IPv6
	// VIP then goes through duplicate address detection (IFA_F_NODAD is
	// otherwise always set). No effect on IPv4.
	NoDAD bool
	// PreferredLft is `preferred_lft N|forever` (IPv6 only in keepalived
	// 2.2.7), valid when HasPreferredLft; forever is 0xffffffff.
	PreferredLft    uint32
	HasPreferredLft bool
	// Address flags: `home`, `mngtmpaddr`, `noprefixroute`, `autojoin`.
	Home, MngTmpAddr, NoPrefixRoute, AutoJoin bool
	// UseVMAC is the per-address `use_vmac` (reported as not supported).
	UseVMAC bool
	// TrackGroup is a static_ipaddress line's `track_group NAME`.
	TrackGroup string
	Pos        Pos
}

// UnicastPeer is one unicast_peer entry.
type UnicastPeer struct {
	Addr   netip.Addr
	MinTTL int
	MaxTTL int
}

// Tracked is a track_interface/track_script/track_file entry.
type Tracked struct {
	Name      string
	Weight    int
	Reverse   bool
	HasWeight bool
	Pos       Pos
}

// SyncGroup is a vrrp_sync_group.
type SyncGroup struct {
	Name            string
	Pos             Pos
	Members         []string
	Notify          string
	NotifyMaster    string
	NotifyBackup    string
	NotifyFault     string
	NotifyStop      string
	TrackInterfaces []Tracked
	TrackScripts    []Tracked
	TrackFiles      []Tracked
	TrackProcesses  []Tracked
	// TrackingWeight is sync_group_tracking_weight (or the deprecated
	// global_tracking): members keep the weights of their own trackers.
	TrackingWeight bool
	SMTPAlert      int // smtp_alert: -1 unset (the global default), 0 off, 1 on
}

// Script is a vrrp_script.
type Script struct {
	Name     string
	Pos      Pos
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

// TrackFile is a track_file / vrrp_track_file block.
type TrackFile struct {
	Name      string
	Pos       Pos
	File      string
	Weight    int
	Reverse   bool
	InitFile  bool
	InitValue int
}

// TrackProcess is a vrrp_track_process block.
type TrackProcess struct {
	Name string
	Pos  Pos
	// Process is the command name (/proc/PID/comm) or, when the command
	// line is matched, its first word.
	Process     string
	Params      []string
	ParamMatch  ParamMatch
	FullCommand bool
	Weight      int
	Reverse     bool
	// Quorum..QuorumMax is the number of matching processes that is up.
	Quorum, QuorumMax         int
	ForkDelay, TerminateDelay time.Duration
	weightSet                 bool
}

// CommandLine says whether the process is matched against its command
// line (full_command, parameters or param_match) rather than its name.
func (p *TrackProcess) CommandLine() bool {
	return p.FullCommand || p.ParamMatch != ParamNone
}
