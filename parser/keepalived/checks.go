package keepalived

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// complete runs keepalived's end-of-parse checks and rewrites (its
// vrrp_complete_init): first the per-instance essentials, where the first
// failure stops all further checking as it does in keepalived, then sync
// groups, then the per-instance rewrites, then VRID clashes.
func (t *typer) complete() {
	if t.badIface {
		t.add(Pos{}, ClassBadInterface, "", "Non-existent interface specified in configuration")
		t.diags[len(t.diags)-1].MissingInterface = true
		return
	}
	t.secureScripts()
	if t.hasScripts && !t.cfg.Global.EnableScriptSecurity {
		t.add(Pos{}, ClassSecurity, "add `enable_script_security` to global_defs (and make the scripts root-owned and not writable by others)",
			"SECURITY VIOLATION - scripts are being executed but script_security not enabled.")
	}
	for _, in := range t.cfg.Instances {
		if !t.prioSet[in] {
			in.Priority = 100
			if in.State == "MASTER" {
				in.Priority = 255
			}
		}
		if !t.vridSet[in] {
			t.add(Pos{}, ClassGeneral, "add `virtual_router_id N` (1..255, the same on both routers)", "(%s) the virtual router id must be set", in.Name)
			return
		}
		if in.Interface == "" {
			t.add(Pos{}, ClassGeneral, "add `interface NAME` to the vrrp_instance", "(%s) Unknown interface!", in.Name)
			return
		}
	}
	t.completeSyncGroups()
	for _, in := range t.cfg.Instances {
		if len(in.VIPs) == 0 {
			// native_ipv6 makes the instance IPv6, which keepalived 2.2.7
			// refuses without a VIP (seen with keepalived -t).
			if in.Strict || in.Priority == 255 || in.NativeIPv6 {
				t.add(Pos{}, ClassGeneral, "add a virtual_ipaddress block", "(%s) No VIP specified; at least one is required", in.Name)
				return
			}
			t.add(Pos{}, ClassGeneral, "add a virtual_ipaddress block", "(%s) No VIP specified; at least one is sensible", in.Name)
		}
		t.completeInstance(in)
	}
	t.checkVRIDs()
}

// secureScripts is keepalived's check of the tracked vrrp_scripts: a
// program that does not exist is disabled whatever the settings (seen with
// keepalived 2.2.7: "since not found/accessible", exit 5, with or without
// enable_script_security); with enable_script_security a program others
// may modify is disabled too. A disabled script is dropped from every
// instance and sync group tracking it, and never run.
func (t *typer) secureScripts() {
	used := map[string]bool{}
	for _, r := range t.scriptRefs {
		used[r.t.Name] = true
	}
	for _, name := range sortedKeys(t.cfg.Scripts) {
		s := t.cfg.Scripts[name]
		if !used[name] || opensFile(s.Script) {
			continue
		}
		m, ok := t.programMode(scriptProgram(s.Script))
		switch {
		case !ok:
			t.add(Pos{}, ClassWarning, "fix the script path", "Disabling track script %s since not found/accessible", name)
		case t.cfg.Global.EnableScriptSecurity && (m.IsDir() || (m.IsRegular() && m.Perm()&0o022 != 0)):
			t.add(Pos{}, ClassWarning, "scripts must not be writable by group or others (chmod go-w)", "Disabling track script %s due to insecure", name)
		default:
			continue
		}
		t.disableScript(name)
	}
}

// opensFile is keepalived's "</path" script: a check that the file can be
// opened, never executed, so never disabled.
func opensFile(raw string) bool {
	p := scriptProgram(raw)
	if p == "<" {
		toks, _ := splitWords(raw, Pos{})
		if len(toks) > 1 {
			p += toks[1].Text
		}
	}
	rest, ok := strings.CutPrefix(p, "<")
	return ok && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "/")
}

// disableScript removes a vrrp_script and every reference to it.
func (t *typer) disableScript(name string) {
	delete(t.cfg.Scripts, name)
	for _, r := range t.scriptRefs {
		if r.t.Name != name {
			continue
		}
		if r.inst != nil {
			r.inst.TrackScripts = removeTracked(r.inst.TrackScripts, name)
		} else {
			r.sg.TrackScripts = removeTracked(r.sg.TrackScripts, name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func removeTracked(ts []Tracked, name string) []Tracked {
	out := ts[:0]
	for _, x := range ts {
		if x.Name != name {
			out = append(out, x)
		}
	}
	return out
}

func (t *typer) completeSyncGroups() {
	byName := map[string]bool{}
	for _, in := range t.cfg.Instances {
		byName[in.Name] = true
	}
	declared := map[*SyncGroup]int{}
	inGroup := map[string]*SyncGroup{}
	for _, r := range t.syncRefs {
		declared[r.sg]++
		if !byName[r.name] {
			t.errorf(Pos{}, "Virtual router %s specified in sync group %s doesn't exist - ignoring", r.name, r.sg.Name)
			continue
		}
		if g, ok := inGroup[r.name]; ok && g != r.sg {
			t.errorf(Pos{}, "Virtual router %s cannot exist in more than one sync group; ignoring %s", r.name, r.sg.Name)
			continue
		}
		inGroup[r.name] = r.sg
		r.sg.Members = append(r.sg.Members, r.name)
	}
	for _, sg := range t.cfg.SyncGroups {
		if len(sg.Members) == 0 {
			if declared[sg] == 0 {
				t.add(Pos{}, ClassGeneral, "list the vrrp_instance names inside `group { ... }`", "Sync group %s has no virtual router(s). removing", sg.Name)
			} else {
				t.errorf(Pos{}, "Sync group %s, no matching virtual router found in group declaration - removing", sg.Name)
			}
			continue
		}
		if len(sg.Members) < 2 {
			t.add(Pos{}, ClassGeneral, "a sync group keeps several instances in the same state; with one member it does nothing",
				"Sync group %s has only %d virtual router(s) - this probably isn't what you want", sg.Name, len(sg.Members))
		}
		t.ownerGroupProcesses(sg)
	}
}

// ownerGroupProcesses: a sync group's weighted track_process cannot
// change the priority of an address owner, so keepalived makes it
// unweighted when a member has priority 255.
func (t *typer) ownerGroupProcesses(sg *SyncGroup) {
	owner := 0
	for _, in := range t.cfg.Instances {
		if in.Priority == 255 && slices.Contains(sg.Members, in.Name) {
			owner = in.Priority
		}
	}
	for i, tr := range sg.TrackProcesses {
		if owner != 0 && tr.Weight != 0 {
			t.errorf(Pos{}, "(%s) Cannot have weighted track process '%s' with member having priority %d - setting weight 0", sg.Name, tr.Name, owner)
			sg.TrackProcesses[i].Weight = 0
		}
	}
}

func (t *typer) completeInstance(in *Instance) {
	if in.IPv6 && !t.versionSet[in] {
		in.Version = 3
	}
	if in.AuthType != "" && in.Strict {
		t.add(Pos{}, ClassGeneral, "remove the authentication block: RFC 5798 (strict mode) has no authentication", "(%s) Strict mode does not support authentication. Ignoring.", in.Name)
		in.AuthType, in.AuthPass = "", [8]byte{}
	}
	if in.AuthType != "" && in.Version == 3 {
		t.add(Pos{}, ClassGeneral, "VRRPv3 has no authentication: remove the block or use version 2", "(%s) VRRP version 3 does not support authentication. Ignoring.", in.Name)
		in.AuthType, in.AuthPass = "", [8]byte{}
	}
	t.completeAuth(in)
	if in.Nopreempt && in.Priority == 255 {
		t.errorf(Pos{}, "(%s) nopreempt is incompatible with priority 255. resetting nopreempt", in.Name)
		in.Nopreempt = false
	}
	if in.Nopreempt && in.State == "MASTER" {
		t.add(Pos{}, ClassGeneral, "nopreempt needs `state BACKUP` on every router", "(%s) Warning - nopreempt will not work with initial state MASTER - clearing", in.Name)
		in.Nopreempt = false
	}
	if in.Strict && in.State == "MASTER" && in.Priority != 255 {
		t.add(Pos{}, ClassGeneral, "in strict mode only the address owner (priority 255) may start as MASTER; use `state BACKUP` — the highest priority still wins the election",
			"(%s) State MASTER must match being address owner", in.Name)
		in.State = "BACKUP"
	}
	if in.PreemptDelay > 0 {
		reset := false
		if in.Strict {
			t.errorf(Pos{}, "(%s) preempt_delay is incompatible with strict mode - resetting", in.Name)
			reset = true
		}
		if in.Nopreempt {
			t.errorf(Pos{}, "(%s) preempt_delay is incompatible with nopreempt mode - resetting", in.Name)
			reset = true
		}
		if reset {
			in.PreemptDelay = 0
		}
	}
	// With unicast_fault_no_peer keepalived 2.2.7 says nothing here: the
	// instance is unicast without peers, in FAULT at run time.
	if len(in.UnicastPeers) == 0 && (in.UnicastSrc.IsValid() || in.unicastKeyword) && !in.UnicastFaultNoPeer {
		t.add(Pos{}, ClassDeprecated, "add a unicast_peer block, or remove unicast_src_ip to use multicast",
			"(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.", in.Name)
	}
	if in.Strict && in.DownTimerAdverts != 0 {
		t.errorf(Pos{}, "(%s) down_timer_adverts is incompatible with strict mode - resetting", in.Name)
		in.DownTimerAdverts = 0
	}
	if in.Strict && in.HigherPrioSendAdvert {
		t.errorf(Pos{}, "(%s) strict mode requires higher_prio_send_advert to be clear. resetting", in.Name)
		in.HigherPrioSendAdvert = false
	}
	if in.Strict && in.Accept && in.Version == 2 && in.Priority != 255 {
		t.add(Pos{}, ClassGeneral, "RFC 3768 (VRRPv2) has no Accept_Mode; use `version 3` to keep accept in strict mode",
			"(%s) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting", in.Name)
		in.Accept = false
	}
	if in.Version == 2 && in.AdvertInt%time.Second != 0 {
		secs := in.AdvertInt.Seconds()
		t.add(Pos{}, ClassGeneral, "VRRPv2 carries whole seconds; use version 3 for sub-second intervals",
			"(%s) VRRPv2 advertisement interval %fs must be an integer. rounding", in.Name, secs)
		r := math.Round(secs)
		if r < 1 {
			r = 1
		}
		in.AdvertInt = time.Duration(r) * time.Second
	}
	if in.Strict {
		if !in.AcceptSet {
			in.Accept = in.Priority == 255
		}
		in.LowerPrioNoAdvert = true
		in.HigherPrioSendAdvert = false
		in.GarpLowerPrioDelay, in.GarpLowerPrioRepeat = 0, 0
		in.VMACXmitBase = false
		if !in.Accept {
			t.strictNotice(in)
		}
	} else if !in.AcceptSet {
		in.Accept = true
	}
	if in.GarpLowerPrioDelay < 0 {
		in.GarpLowerPrioDelay = in.GarpMasterDelay
	}
	if in.GarpLowerPrioRepeat < 0 {
		in.GarpLowerPrioRepeat = in.GarpMasterRepeat
	}
}

// strictNotice explains the tutorial's "nft flush ruleset" surprise.
func (t *typer) strictNotice(in *Instance) {
	var vips []string
	for _, v := range in.VIPs {
		vips = append(vips, v.Prefix.Addr().String())
	}
	table := t.cfg.Global.NftablesTable
	if table == "" {
		table = "keepalived"
	}
	t.diags = append(t.diags, Diagnostic{Severity: SevWarning, GohaOnly: true,
		Message: fmt.Sprintf("(%s) vrrp_strict without accept: traffic addressed to VIP %s will be dropped by the nftables table '%s' while MASTER (a proxy bound to *:80 will not answer on it)",
			in.Name, strings.Join(vips, ", "), table),
		Hint: strictHint(in)})
}

// strictHint names the change that makes the VIP reachable. Under vrrp_strict
// keepalived resets accept for VRRPv2 (RFC 3768 has no Accept_Mode), so a v2
// instance needs `version 3` as well.
func strictHint(in *Instance) string {
	switch {
	case in.Version == 2 && in.AcceptSet:
		return fmt.Sprintf("add `version 3` to vrrp_instance %s: its `accept` is reset for VRRPv2 in strict mode; or remove `vrrp_strict` from global_defs", in.Name)
	case in.Version == 2:
		return fmt.Sprintf("add `version 3` and `accept` to vrrp_instance %s (VRRPv2 has no Accept_Mode, so strict mode resets accept), or remove `vrrp_strict` from global_defs", in.Name)
	}
	return fmt.Sprintf("add `accept` to vrrp_instance %s (RFC 5798 Accept_Mode), or remove `vrrp_strict` from global_defs", in.Name)
}

func (t *typer) checkVRIDs() {
	type key struct {
		ifname string
		vrid   int
		v6     bool
	}
	seen := map[key]*Instance{}
	for _, in := range t.cfg.Instances {
		k := key{in.Interface, in.VRID, in.IPv6}
		if other, ok := seen[k]; ok {
			fam := "IPv4"
			if in.IPv6 {
				fam = "IPv6"
			}
			t.add(Pos{}, ClassGeneral, "each VRRP instance on a link needs its own virtual_router_id", "%s and %s both use VRID %d with %s on interface %s", other.Name, in.Name, in.VRID, fam, in.Interface)
			continue
		}
		seen[k] = in
	}
}
