package keepalived

import (
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"time"
)

// typer turns block trees into a Config, reporting in keepalived's words.
type typer struct {
	cfg     *Config
	opts    Options
	diags   []Diagnostic
	aborted bool
	// abortSeq is the line where keepalived would have exited
	abortSeq int
	ifaces   map[string]bool
	// track_script references (for disabling missing or insecure scripts)
	scriptRefs []scriptRef
	instNames  map[string]bool
	syncRefs   []syncRef
	badIface   bool
	hasScripts bool
	rulePref   int // next default rule preference keepalived assigns
	// checkScripts: a MISC_CHECK runs an existing program
	checkScripts bool
	versionSet   map[*Instance]bool
	prioSet      map[*Instance]bool
	// inst is the vrrp_instance whose keywords are being typed: the
	// handlers of the vrrp_instance table write into it (keepalived's
	// handlers likewise fill the last instance of the list).
	inst     *Instance
	stateSet map[*Instance]bool
	vridSet  map[*Instance]bool
	// trackGroups: track_group blocks seen so far (static_ipaddress's
	// track_group option looks them up at parse time, as keepalived).
	trackGroups map[string]bool
	// lvsSyncIface is the LVS sync daemon interface set so far (global
	// lvs_sync_daemon or a vrrp_instance's lvs_sync_daemon_interface).
	lvsSyncIface string
}

type scriptRef struct {
	inst *Instance
	sg   *SyncGroup
	t    Tracked
	idx  int
}

type syncRef struct {
	sg   *SyncGroup
	name string
	pos  Pos
}

func newTyper(opts Options) *typer {
	t := &typer{
		cfg: &Config{
			Scripts:    map[string]*Script{},
			TrackFiles: map[string]*TrackFile{},
			Global: GlobalDefs{
				GarpMasterDelay:         5 * time.Second,
				GarpMasterRepeat:        5,
				GarpMasterRefreshRepeat: 1,
				GarpLowerPrioDelay:      -1,
				GarpLowerPrioRepeat:     -1,
				Version:                 2,
				McastGroup4:             netip.MustParseAddr("224.0.0.18"),
				McastGroup6:             netip.MustParseAddr("ff02::12"),
				NftablesPriority:        -1,
			},
		},
		opts:        opts,
		ifaces:      map[string]bool{},
		instNames:   map[string]bool{},
		rulePref:    16384,
		versionSet:  map[*Instance]bool{},
		prioSet:     map[*Instance]bool{},
		stateSet:    map[*Instance]bool{},
		vridSet:     map[*Instance]bool{},
		trackGroups: map[string]bool{},
	}
	for _, i := range opts.Interfaces {
		t.ifaces[i] = true
	}
	return t
}

func (t *typer) add(pos Pos, class Class, hint, format string, args ...any) {
	sev := SevError
	switch class {
	case ClassNone:
		sev = SevInfo
	case ClassWarning, ClassDeprecated:
		sev = SevWarning
	}
	t.diags = append(t.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: sev, Class: class, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (t *typer) errorf(pos Pos, format string, args ...any) {
	t.add(pos, ClassGeneral, "", format, args...)
}

func (t *typer) notice(pos Pos, hint, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.diags = append(t.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevWarning, Message: msg, Hint: hint, GohaOnly: true})
}

func (t *typer) number(pos Pos, msg string) {
	if msg != "" {
		t.add(pos, ClassInvalidNumber, "", "%s", msg)
	}
}

// need reproduces keepalived's null_strvec: a handler reading a missing
// parameter makes keepalived exit with status 2 on the spot.
func (t *typer) need(n *Node, count int) bool {
	if t.aborted {
		return false
	}
	if len(n.Args) >= count {
		return true
	}
	t.add(n.Pos, ClassAbort, "give '"+n.Name()+"' a value", "*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d",
		n.Name(), lastWord(n), len(n.Args)+2)
	t.aborted = true
	t.abortSeq = n.Line.seq
	return false
}

func lastWord(n *Node) string {
	if len(n.Args) > 0 {
		return n.Args[len(n.Args)-1].Text
	}
	return n.Name()
}

// unsupported reports a keyword gokeepalived does not run, by its class
// in the keyword table: inert ones are warned about, the others refused.
func (t *typer) unsupported(n *Node) {
	if n.Keyword.Support == Inert {
		t.inert(n.Pos, n.Name(), n.Keyword.Why)
		return
	}
	t.refuse(n.Pos, n.Name(), "", "'%s' is parsed but not supported by gokeepalived yet", n.Name())
}

// refuse records a feature of the file gokeepalived does not run: -t
// fails and the daemon refuses the file unless Options.AllowUnsupported,
// which makes it a warning (the daemon then runs without the feature).
func (t *typer) refuse(pos Pos, feature, hint, format string, args ...any) {
	t.cfg.Unsupported = append(t.cfg.Unsupported, Unsupported{Keyword: feature, Pos: pos})
	d := Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevError, Hint: hint,
		Message: fmt.Sprintf(format, args...), GohaOnly: true, Unsupported: true}
	if t.opts.AllowUnsupported {
		d.Severity = SevWarning
		d.Message += AllowedSuffix
	}
	t.diags = append(t.diags, d)
}

// inert warns about a keyword whose effect cannot change what gokeepalived does.
func (t *typer) inert(pos Pos, name, why string) {
	t.notice(pos, "", "'%s' has no effect in goha: %s", name, why)
}

// rawArgs returns the text after the keyword on its line, for scripts.
func rawArgs(n *Node) string {
	s := strings.TrimLeft(n.Line.Text, " \t")
	s = strings.TrimPrefix(s, n.Name())
	return strings.TrimSpace(s)
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// ---- global_defs ----

func (t *typer) globalDefs(nodes []*Node) {
	g := &t.cfg.Global
	for _, n := range nodes {
		if t.aborted {
			return
		}
		if n.Name() == "notification_email" && len(n.Values) == 0 {
			t.add(n.End, ClassWarning, "list at least one address, or remove the block", "Warning - empty notification_email block")
		}
		if n.Name() == "lvs_sync_daemon" && len(n.Args) > 0 && t.lvsSyncIface == "" {
			t.lvsSyncIface = n.Arg(0)
		}
		if !n.Keyword.Honoured() {
			t.unsupported(n)
			if !n.Keyword.Typed {
				continue
			}
		}
		switch n.Name() {
		case "router_id":
			if len(n.Args) == 0 {
				t.errorf(n.Pos, "routerid name missing - ignoring")
				continue
			}
			g.RouterID = n.Arg(0)
		case "vrrp_strict":
			g.Strict = true
		case "vrrp_skip_check_adv_addr":
			g.SkipCheckAdvAddr = t.optBool(n, true)
		case "vrrp_garp_interval", "vrrp_gna_interval":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.double(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.add(n.Pos, ClassGeneral, "use a value ≥ "+n.Keyword.Range.lo()+" (seconds between gratuitous ARPs/NAs per interface) or remove the line", "%s '%s' is invalid", n.Name(), n.Arg(0))
				continue
			}
			if n.Name() == "vrrp_garp_interval" {
				g.GarpInterval = seconds(v)
			} else {
				g.GnaInterval = seconds(v)
			}
			if v >= 1 {
				t.notice(n.Pos, "keepalived reads this value in seconds; 0.001 would be 1 ms", "%s %s means one gratuitous ARP/NA every %s seconds per interface", n.Name(), n.Arg(0), n.Arg(0))
			}
		case "vrrp_garp_master_delay", "vrrp_garp_master_refresh", "vrrp_garp_lower_prio_delay":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.unsigned(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "%s '%s' invalid - ignoring", n.Name(), n.Arg(0))
				continue
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
		case "vrrp_garp_master_repeat", "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_repeat":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.unsigned(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "%s '%s' invalid - ignoring", n.Name(), n.Arg(0))
				continue
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
		case "vrrp_min_garp":
			g.MinGarp = t.optBool(n, true)
		case "vrrp_lower_prio_no_advert":
			g.LowerPrioNoAdvert = t.optBool(n, true)
		case "vrrp_higher_prio_send_advert":
			g.HigherPrioSendAdvert = t.optBool(n, true)
		case "vrrp_down_timer_adverts":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.unsigned(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "Invalid vrrp_down_timer_adverts [%s:%s] '%s'", n.Keyword.Range.lo(), n.Keyword.Range.hi(), n.Arg(0))
				continue
			}
			g.DownTimerAdverts = int(v)
		case "vrrp_version":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.integer(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "VRRP Error: Version must be either 2 or 3")
				continue
			}
			g.Version = int(v)
		case "vrrp_mcast_group4", "vrrp_mcast_group6":
			if !t.need(n, 1) {
				return
			}
			a, err := netip.ParseAddr(n.Arg(0))
			want4 := n.Name() == "vrrp_mcast_group4"
			if err != nil || a.Is4() != want4 || !a.IsMulticast() {
				t.errorf(n.Pos, "Can't parse %s [%s]. Skipping", n.Name(), n.Arg(0))
				continue
			}
			if want4 {
				g.McastGroup4 = a
			} else {
				g.McastGroup6 = a
			}
		case "vrrp_check_unicast_src":
			g.CheckUnicastSrc = true
		case "vrrp_iptables":
			// Debian's keepalived 2.2.7 is built without iptables support
			t.add(n.Pos, ClassGeneral, "use `nftables` in global_defs", "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option")
			g.Iptables = argsText(n)
			if g.UseNftables {
				continue
			}
			g.UseNftables = true
			g.NftablesTable = "keepalived"
		case "nftables":
			if g.UseNftables {
				t.errorf(n.Pos, "nftables already specified - ignoring")
				continue
			}
			g.UseNftables = true
			g.NftablesTable = "keepalived"
			if len(n.Args) > 0 {
				g.NftablesTable = n.Arg(0)
			}
		case "nftables_priority":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.integer(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "invalid nftables chain priority '%s'", n.Arg(0))
				continue
			}
			g.NftablesPriority = int(v)
		case "nftables_counters":
			g.NftablesCounters = true
		case "nftables_ifindex":
			g.NftablesIfindex = true
		case "script_user":
			if !t.need(n, 1) {
				return
			}
			g.ScriptUser, g.ScriptGroup = n.Arg(0), n.Arg(1)
			if g.ScriptGroup != "" {
				t.refuse(n.Pos, "script_user group", "", "the group '%s' of script_user is parsed but not supported by gokeepalived yet: scripts run with the primary group of %s", g.ScriptGroup, g.ScriptUser)
			}
		case "enable_script_security":
			g.EnableScriptSecurity = true
		case "notify_fifo", "vrrp_notify_fifo":
			if n.Name() == "notify_fifo" {
				g.NotifyFIFO = n.Arg(0)
			} else {
				g.VRRPNotifyFIFO = n.Arg(0)
			}
			if len(n.Args) > 1 {
				// keepalived gives the FIFO to that user (and group)
				t.refuse(n.Pos, n.Name()+" user", "", "the user and group of %s are parsed but not supported by gokeepalived yet: the FIFO belongs to root", n.Name())
			}
		case "notify_fifo_script":
			g.NotifyFIFOScript = rawArgs(n)
			t.hasScripts = t.hasScripts || t.usableScript(g.NotifyFIFOScript)
		case "vrrp_notify_fifo_script":
			g.VRRPNotifyFIFOScript = rawArgs(n)
			t.hasScripts = t.hasScripts || t.usableScript(g.VRRPNotifyFIFOScript)
		case "vrrp_notify_priority_changes":
			g.NotifyPriorityChanges = t.optBool(n, true)
		case "vrrp_startup_delay":
			if !t.need(n, 1) {
				return
			}
			v, msg := n.Keyword.Range.double(n.Arg(0))
			if msg != "" {
				t.number(n.Pos, msg)
				t.errorf(n.Pos, "vrrp_startup_delay '%s' is invalid", n.Arg(0))
				continue
			}
			g.StartupDelay = seconds(v)
		case "dynamic_interfaces":
			g.DynamicInterfaces = true
		case "default_interface":
			if !t.need(n, 1) {
				return
			}
			g.DefaultInterface = n.Arg(0)
		case "vmac_prefix":
			if !t.need(n, 1) {
				return
			}
			g.VMACPrefix = n.Arg(0)
		}
	}
}

// optBool reads an optional boolean argument (keyword alone = def).
func (t *typer) optBool(n *Node, def bool) bool {
	if len(n.Args) == 0 {
		return def
	}
	switch readBool(n.Arg(0)) {
	case 1:
		return true
	case 0:
		return false
	}
	t.errorf(n.Pos, "Invalid value for %s specified", n.Name())
	return def
}

func argsText(n *Node) []string {
	out := make([]string, 0, len(n.Args))
	for _, a := range n.Args {
		out = append(out, a.Text)
	}
	return out
}

// scriptProgram returns the program a script line runs: its first word,
// quotes removed.
func scriptProgram(raw string) string {
	toks, _ := splitWords(raw, Pos{})
	if len(toks) == 0 {
		return ""
	}
	f := strings.Fields(toks[0].Text)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// usableScript says whether keepalived would keep a script: its program
// exists. Missing programs are dropped silently by keepalived 2.2.7.
func (t *typer) usableScript(raw string) bool {
	m, ok := t.programMode(scriptProgram(raw))
	return ok && !m.IsDir()
}

// programMode stats a script's program, searching the PATH keepalived
// runs scripts with when the name has no '/'.
func (t *typer) programMode(p string) (fs.FileMode, bool) {
	if p == "" {
		return 0, false
	}
	if !strings.Contains(p, "/") {
		for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
			if m, ok := t.opts.FileMode(dir + "/" + p); ok && !m.IsDir() {
				return m, true
			}
		}
		return 0, false
	}
	return t.opts.FileMode(p)
}

// defaultScriptUser mirrors keepalived: without script_user the scripts run
// as keepalived_script, or as root when that user is missing and
// enable_script_security is off.
func (t *typer) defaultScriptUser(pos Pos) bool {
	g := &t.cfg.Global
	if g.ScriptUser != "" {
		return true
	}
	if t.opts.UserExists("keepalived_script") {
		return true
	}
	if !g.EnableScriptSecurity {
		return true
	}
	t.add(pos, ClassGeneral, "create the user (useradd -r -s /sbin/nologin keepalived_script) or set `script_user` in global_defs",
		"Unable to set default user keepalived_script for script")
	return false
}

func (t *typer) checkerScripts(n *Node) {
	for _, c := range n.Children {
		if c.Name() == "misc_path" && t.usableScript(rawArgs(c)) {
			t.checkScripts = true
		}
		t.checkerScripts(c)
	}
}
