package keepalived

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var updateKeywordsDoc = flag.Bool("update-keywords", false, "rewrite KEYWORDS.md from keywordAudit")

// auditStatus is what gokeepalived does with a keyword of keepalived 2.2.7:
// the keyword table's class (Support).
type auditStatus string

const (
	// honoured: run with keepalived 2.2.7's semantics (Honoured keywords).
	honoured auditStatus = "honoured"
	// refused: parsed (and, when Typed, checked as keepalived checks it)
	// but not run; -t fails and the daemon refuses the file unless the
	// operator passes --allow-unsupported.
	refused auditStatus = "unsupported (refused)"
	// inertKw: accepted with a "has no effect in goha" warning.
	inertKw auditStatus = "inert (warned)"
)

func statusOf(k *Keyword) auditStatus {
	switch k.Support {
	case Refused:
		return refused
	case Inert:
		return inertKw
	}
	return honoured
}

type auditEntry struct {
	status auditStatus
	where  string // honoured: file:func doing it; otherwise: what is missing
}

func kwHonoured(where string) auditEntry { return auditEntry{honoured, where} }
func kwRefused(why string) auditEntry    { return auditEntry{refused, why} }
func kwInert(why string) auditEntry      { return auditEntry{inertKw, why} }
func inParser(f string) auditEntry       { return kwHonoured("parser/keepalived/" + f) }
func inRunner(f string) auditEntry       { return kwHonoured("vrrp/daemon/" + f) }
func inVRRP(f string) auditEntry         { return kwHonoured("vrrp/" + f) }

// keywordAudit is the decision taken for every keyword gokeepalived runs
// and for every keyword the audit found stored but not run. A Runtime
// keyword without an entry fails TestKeywordAuditCoversRuntimeKeywords: a
// new keyword needs a decision (and KEYWORDS.md, generated from this map,
// shows it).
var keywordAudit = map[string]map[string]auditEntry{
	"root": {
		"global_defs":      inParser("typer.go:globalDefs"),
		"vrrp_instance":    inParser("vrrp.go:instance → vrrp/daemon/mapconfig.go:mapInstance"),
		"vrrp_sync_group":  inParser("vrrp.go:syncGroup → vrrp/daemon/mapconfig.go:MapConfig, vrrp/syncgroup.go"),
		"vrrp_script":      inParser("vrrp.go:script → vrrp/daemon/track.go:runScript"),
		"track_file":       inParser("vrrp.go:trackFile → vrrp/daemon/trackfile.go:followFile"),
		"vrrp_track_file":  inParser("vrrp.go:trackFile (same block as track_file)"),
		"static_ipaddress": inRunner("hostnet.go:setStatic (without dev: on default_interface, eth0 when unset)"),
		"static_routes":    inRunner("hostnet.go:setStatic, routes.go:ParseRoute"),
		"static_rules":     inRunner("hostnet.go:setStatic, routes.go:ParseRule"),
	},
	"global_defs": {
		"router_id":                       inRunner("mapconfig.go:MapConfig (data dump, control.go:data)"),
		"include_check":                   inParser("prepass.go:setIncludeCheck"),
		"vrrp_strict":                     inParser("checks.go:completeInstance (strict rewrites) + vrrp/daemon/mapconfig.go:mapInstance"),
		"vrrp_skip_check_adv_addr":        inVRRP("instance.go:receive (SkipCheckAdvAddr)"),
		"vrrp_garp_interval":              inRunner("garp.go:drainGarps"),
		"vrrp_gna_interval":               inRunner("garp.go:drainGarps"),
		"vrrp_garp_master_delay":          inVRRP("instance.go:becomeMaster (instance default)"),
		"vrrp_garp_master_repeat":         inVRRP("instance.go:becomeMaster (instance default)"),
		"vrrp_garp_master_refresh":        inVRRP("instance.go:timerExpired (instance default)"),
		"vrrp_garp_master_refresh_repeat": inVRRP("instance.go:timerExpired (instance default)"),
		"vrrp_garp_lower_prio_delay":      inVRRP("instance.go:masterRx (instance default)"),
		"vrrp_garp_lower_prio_repeat":     inVRRP("instance.go:masterRx (instance default)"),
		"vrrp_min_garp":                   inRunner("mapconfig.go:mapInstance"),
		"vrrp_lower_prio_no_advert":       inVRRP("instance.go:masterRx (instance default)"),
		"vrrp_higher_prio_send_advert":    inVRRP("instance.go:masterRx (instance default)"),
		"vrrp_version":                    inRunner("mapconfig.go:mapInstance"),
		"vrrp_mcast_group4":               inRunner("mapconfig.go:mapInstance (InstanceSpec.Group)"),
		"vrrp_mcast_group6":               inRunner("mapconfig.go:mapInstance (InstanceSpec.Group)"),
		"vrrp_check_unicast_src":          inVRRP("validate.go:Validate (instance default)"),
		"vrrp_iptables":                   inParser("typer.go:globalDefs (Debian's 2.2.7 has no iptables: nftables table 'keepalived', as keepalived)"),
		"nftables":                        inRunner("mapconfig.go:MapConfig (FirewallTable) → perform.go:firewall"),
		"nftables_priority":               inRunner("mapconfig.go:MapConfig (FirewallPriority) → perform.go:firewall"),
		"script_user":                     inRunner("notify.go:notifyScripts, track.go:runScript (a group argument is unsupported: refused unless --allow-unsupported, then the user's own group is used)"),
		"enable_script_security":          inParser("checks.go:secureScripts (insecure or missing track scripts disabled, SECURITY VIOLATION) + vrrp/daemon/mapconfig.go:secureNotify (notify scripts others may write are not run; file mode only, parent directories not checked)"),
		"notify_fifo":                     inRunner("notify.go:notify (FIFO line; vrrp_notify_fifo wins), linux.go:OpenFIFO (created if missing, open for the daemon's lifetime; a user/group argument is unsupported)"),
		"vrrp_notify_fifo":                inRunner("notify.go:notify (FIFO line; a user/group argument is unsupported)"),
		"default_interface":               inRunner("mapconfig_routes.go:mapStatic (a static_ipaddress without dev goes on it, eth0 when unset)"),
		"vrrp_notify_priority_changes":    inRunner("mapconfig.go:mapInstance → notify.go:notifyPriority (every instance; an instance's 'notify_priority_changes false' does not turn it off)"),
		"vmac_prefix":                     inRunner("mapconfig.go:mapInstance (use_vmac without a name: PREFIX.VRID, checked in a namespace)"),
		"vrrp_down_timer_adverts":         inVRRP("instance.go:MasterDownInterval (instance default; reset by strict mode)"),
		"vrrp_startup_delay":              inRunner("start.go:beginStartupDelay, delayMasterDown (first master-down timer from the delay's end)"),

		"nftables_ifindex":        kwInert("not switchable: the link-local VIP rules always match interface indexes (iif/oif)"),
		"nftables_counters":       kwInert("the no-accept rules carry no counters"),
		"notify_fifo_script":      kwRefused("the FIFO is written, no reader script is started"),
		"vrrp_notify_fifo_script": kwRefused("the FIFO is written, no reader script is started"),
		"dynamic_interfaces":      kwRefused("interfaces must exist at start; a missing one is not waited for"),
		"vrrp_garp_extra_if":      kwRefused("no extra GARPs on other interfaces (not even stored)"),
		"vrrp_vmac_garp_intvl":    kwRefused("no GARP on a VMAC's parent (not even stored)"),
		"disable_local_igmp":      kwRefused("IGMP reports of VMACs follow the kernel default (not even stored)"),
		"vmac_addr_prefix":        kwRefused("VMACs use 00:00:5e:00:01/02 (not even stored)"),
	},
	"authentication": {
		"auth_type": inRunner("mapconfig.go:mapInstance (PASS, VRRPv2; AH is reported by the parser and adverts go without authentication)"),
		"auth_pass": inVRRP("advert.go / validate.go:Validate (8 bytes)"),
	},
	"vrrp_instance": {
		"state":                      inRunner("mapconfig.go:mapInstance (StartMaster)"),
		"interface":                  inRunner("mapconfig.go:mapInstance → conn.go:conn"),
		"virtual_router_id":          inRunner("mapconfig.go:mapInstance"),
		"priority":                   inRunner("mapconfig.go:mapInstance"),
		"advert_int":                 inRunner("mapconfig.go:mapInstance"),
		"nopreempt":                  inVRRP("instance.go:backupRx"),
		"preempt":                    inVRRP("instance.go:backupRx (clears nopreempt)"),
		"preempt_delay":              inVRRP("instance.go:backupRx"),
		"accept":                     inRunner("perform.go:firewall (no drop rules)"),
		"no_accept":                  inRunner("perform.go:firewall (nftables drop rules while MASTER)"),
		"notify_master":              inRunner("notify.go:notify"),
		"notify_backup":              inRunner("notify.go:notify"),
		"notify_fault":               inRunner("notify.go:notify"),
		"notify_stop":                inRunner("notify.go:notify"),
		"notify":                     inRunner("notify.go:notify"),
		"notify_priority_changes":    inRunner("notify.go:notifyPriority (FIFO line `INSTANCE \"A\" BACKUP_PRIORITY 120`; no script is run, as keepalived)"),
		"version":                    inRunner("mapconfig.go:mapInstance"),
		"strict_mode":                inParser("checks.go:completeInstance + vrrp/daemon/mapconfig.go:mapInstance"),
		"skip_check_adv_addr":        inVRRP("instance.go:receive"),
		"garp_master_delay":          inVRRP("instance.go:becomeMaster"),
		"garp_master_repeat":         inVRRP("instance.go:becomeMaster"),
		"garp_master_refresh":        inVRRP("instance.go:timerExpired"),
		"garp_master_refresh_repeat": inVRRP("instance.go:timerExpired"),
		"garp_lower_prio_delay":      inVRRP("instance.go:masterRx"),
		"garp_lower_prio_repeat":     inVRRP("instance.go:masterRx"),
		"lower_prio_no_advert":       inVRRP("instance.go:masterRx"),
		"higher_prio_send_advert":    inVRRP("instance.go:masterRx"),
		"dont_track_primary":         inVRRP("instance.go:faulty, syncgroup.go:ownFault"),
		"mcast_src_ip":               inRunner("mapconfig.go:mapInstance (SrcAddr)"),
		"mcast_dst_ip":               inRunner("mapconfig.go:mapInstance (InstanceSpec.Group)"),
		"unicast_src_ip":             inRunner("mapconfig.go:mapInstance (SrcAddr)"),
		"check_unicast_src":          inVRRP("validate.go:Validate"),
		"use_vmac":                   inRunner("hostnet.go:createVMAC"),
		"vmac_xmit_base":             inRunner("conn.go:connSpecOf"),
		"promote_secondaries":        inRunner("hostnet.go:promoteSecondaries (sysctl set at start, put back to 0 on stop unless it was 1)"),
		"notify_deleted":             inRunner("control.go:reload → notify.go:notify (instance gone on reload: this script without arguments, DELETED to notify/FIFO; without it FAULT)"),
		"down_timer_adverts":         inVRRP("instance.go:MasterDownInterval (N adverts + skew; reset by strict mode)"),
		"unicast_fault_no_peer":      inRunner("track.go:trackState (no peers: FAULT from the start, logged as keepalived; no deprecation at -t)"),
		"native_ipv6":                inParser("checks.go:complete (IPv6: refused without a VIP, as keepalived) + vrrp/daemon/mapconfig.go:mapInstance; a valid instance's IPv6 VIPs already make it IPv6"),
		"virtual_ipaddress":          inRunner("perform.go:vips"),
		"virtual_ipaddress_excluded": inRunner("perform.go:vips (never sets the instance's family: parser/keepalived/vrrp.go:instanceKeyword)"),
		"virtual_routes":             inRunner("hostnet.go:setRoutes"),
		"virtual_rules":              inRunner("hostnet.go:setRoutes"),
		"unicast_peer":               inRunner("perform.go:sendAdvert; min_ttl/max_ttl in vrrp/validate.go:Validate"),
		"track_interface":            inRunner("track.go:trackState"),
		"track_script":               inRunner("track.go:trackState"),
		"track_file":                 inRunner("track.go:trackState"),
		"authentication":             inRunner("mapconfig.go:mapInstance"),

		"notify_master_rx_lower_pri": kwRefused("not run"),
		"unicast_ttl":                kwRefused("unicast adverts are sent with TTL 255"),
		"garp_extra_if":              kwRefused("no extra GARPs on other interfaces (not even stored)"),
		"vmac_garp_intvl":            kwRefused("no GARP on a VMAC's parent (not even stored)"),
		"track_src_ip":               kwRefused("losing the advert source address does not put the instance in FAULT (not even stored)"),
		"old_unicast_checksum":       kwRefused("VRRPv3 unicast checksums always use the peer address (not even stored)"),
		"use_vmac_addr":              kwRefused("not even stored"),
		"kernel_rx_buf_size":         kwInert("the socket keeps the kernel's buffer size (not even stored)"),
		"debug":                      kwInert("keepalived only shows it in the data dump (not even stored)"),
	},
	"vrrp_sync_group": {
		"group":                      inRunner("start.go:buildGroups, vrrp/syncgroup.go:Step"),
		"track_interface":            inRunner("mapconfig.go:MapConfig (added to every member)"),
		"track_script":               inRunner("mapconfig.go:MapConfig (added to every member)"),
		"track_file":                 inRunner("mapconfig.go:MapConfig (added to every member)"),
		"notify_master":              inRunner("notify.go:groupNotify"),
		"notify_backup":              inRunner("notify.go:groupNotify"),
		"notify_fault":               inRunner("notify.go:groupNotify"),
		"notify_stop":                inRunner("notify.go:groupNotify"),
		"notify":                     inRunner("notify.go:groupNotify"),
		"global_tracking":            inRunner("mapconfig.go:syncMemberTrackers (as sync_group_tracking_weight, plus keepalived's deprecation)"),
		"sync_group_tracking_weight": inRunner("mapconfig.go:syncMemberTrackers (without it a member's weighted trackers are dropped or made unweighted)"),

		"notify_priority_changes": kwRefused("priority changes are not notified (not even stored)"),
	},
	"vrrp_script": {
		"script":    inRunner("track.go:runScript"),
		"interval":  inRunner("track.go:runScript"),
		"timeout":   inRunner("track.go:runScript"),
		"weight":    inRunner("mapconfig.go:trackers → track.go:trackState"),
		"rise":      inRunner("track.go:scriptResult"),
		"fall":      inRunner("track.go:scriptResult"),
		"user":      inRunner("track.go:runScript (a group argument is unsupported: refused unless --allow-unsupported, then the user's own group is used)"),
		"init_fail": inRunner("track.go:startTrackers"),
	},
	"track_file": {
		"file":      inRunner("trackfile.go:followFile"),
		"weight":    inRunner("mapconfig.go:trackers → track.go:trackState"),
		"init_file": inRunner("track.go:startTrackers (creates a missing file; `overwrite` is unsupported)"),
	},
}

// auditedTables are the blocks of the VRRP process, in document order.
func auditedTables() []*Table {
	return []*Table{rootTable, globalDefsTable, authTable, vrrpInstanceTable, syncGroupTable, vrrpScriptTable, trackFileTable}
}

// allTables walks the keyword tree from the root (each table once).
func allTables() []*Table {
	var out []*Table
	seen := map[*Table]bool{}
	var walk func(*Table)
	walk = func(t *Table) {
		if seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
		for _, k := range t.order {
			if k.Sub != nil {
				walk(k.Sub)
			}
		}
	}
	walk(rootTable)
	return out
}

func TestKeywordAuditCoversRuntimeKeywords(t *testing.T) {
	for _, tab := range allTables() {
		for _, k := range tab.order {
			e, found := keywordAudit[tab.Name][k.Name]
			switch {
			case k.Honoured() && !found:
				t.Errorf("%s %s is a runtime keyword without an audit decision: add it to keywordAudit (honoured: where), or make it unsup/inert", tab.Name, k.Name)
			case k.Honoured() && e.status != honoured:
				t.Errorf("%s %s is a runtime keyword but audited %q", tab.Name, k.Name, e.status)
			case !k.Honoured() && found && e.status != statusOf(k):
				t.Errorf("%s %s is audited %q but the keyword table says %q", tab.Name, k.Name, e.status, statusOf(k))
			}
		}
	}
	for block, m := range keywordAudit {
		var tab *Table
		for _, x := range allTables() {
			if x.Name == block {
				tab = x
			}
		}
		if tab == nil {
			t.Errorf("audited block %s is not in the keyword tree", block)
			continue
		}
		for name, e := range m {
			if tab.lookup(name) == nil {
				t.Errorf("audited keyword %s %s is not in the keyword tree", block, name)
			}
			if e.where == "" {
				t.Errorf("%s %s: empty audit note", block, name)
			}
		}
	}
}

// renderKeywordsDoc writes KEYWORDS.md from the keyword tree and the audit.
func renderKeywordsDoc() string {
	var b strings.Builder
	b.WriteString(`# gokeepalived keyword audit

Generated from ` + "`keywords_audit_test.go`" + ` (` + "`go test ./parser/keepalived -run KeywordsDoc -update-keywords`" + `);
the test fails when a runtime keyword of ` + "`keywords.go`" + ` has no decision here.

Rule (fail closed): every keyword gokeepalived accepts has one class in the keyword table
(` + "`keywords.go`" + `, field ` + "`Support`" + `):

- **honoured**: run with keepalived 2.2.7's semantics.
- **unsupported (refused)**: parsed and checked as keepalived checks it, but not run.
  ` + "`gokeepalived -t`" + ` prints "goha: (FILE: Line N) 'KEYWORD' is parsed but not supported by
  gokeepalived yet" and exits 1 (or keepalived's own non-zero status); the daemon refuses to start
  (exit 2, "permanent error CONFIG", as keepalived for a config error) and a reload (SIGHUP) to
  such a file keeps the running configuration. The operator's override, ` + "`--allow-unsupported`" + `
  or ` + "`GOHA_ALLOW_UNSUPPORTED=1`" + `, turns these into warnings and runs without the feature.
- **inert (warned)**: keepalived's documented effect cannot change which VRRP state is taken,
  what is installed or sent, or which scripts run (email alerts, process scheduling, buffer
  sizes): accepted with "goha: (FILE: Line N) 'KEYWORD' has no effect in goha: WHY".

Keywords typed although not run (` + "`typed(...)`" + `) still get keepalived's own checks (range
errors, strict-mode resets, deprecations). Values the runtime cannot honour (` + "`auth_type AH`" + `, a
group in ` + "`script_user`" + `/` + "`user`" + `, per-address ` + "`use_vmac`" + `, static ` + "`track_group`" + `, route and
rule options gokeepalived cannot install) are unsupported the same way.

`)
	for _, tab := range auditedTables() {
		fmt.Fprintf(&b, "## %s\n\n| keyword | status | where / what is missing |\n|---|---|---|\n", tab.Name)
		others := map[auditStatus][]string{}
		for _, k := range tab.order {
			e, found := keywordAudit[tab.Name][k.Name]
			if !found {
				if tab == rootTable && k.Group != grpVRRP && k.Group != grpGlobal {
					continue
				}
				others[statusOf(k)] = append(others[statusOf(k)], k.Name)
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.Name, statusOf(k), e.where)
		}
		if l := others[refused]; len(l) > 0 {
			sort.Strings(l)
			fmt.Fprintf(&b, "\nAlso parsed, unsupported (refused): %s.\n", "`"+strings.Join(l, "`, `")+"`")
		}
		if l := others[inertKw]; len(l) > 0 {
			byWhy := map[string][]string{}
			var whys []string
			for _, n := range l {
				w := tab.lookup(n).Why
				if byWhy[w] == nil {
					whys = append(whys, w)
				}
				byWhy[w] = append(byWhy[w], n)
			}
			b.WriteString("\nAlso parsed, inert (warned), by what has no effect:\n")
			for _, w := range whys {
				sort.Strings(byWhy[w])
				fmt.Fprintf(&b, "- %s: %s\n", w, "`"+strings.Join(byWhy[w], "`, `")+"`")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(`## Other blocks

` + "`vrrp_track_process`, `garp_group`, `track_group`, `bfd_instance`, `SSL`, `virtual_server_group`, `virtual_server`" + `
and everything inside them are parsed (the checker's blocks checked as keepalived -t checks
them) and unsupported (refused): the checker (LVS/IPVS) and BFD processes are not part of
gokeepalived.

## Known gaps below keyword level

- VIP line options: ` + "`peer`, `-nodad`, `preferred_lft` (IPv6), `home`, `mngtmpaddr`, `noprefixroute`, `autojoin`" + ` go on
  the address as keepalived adds it (vrrp/netio.VIP); a VIP's ` + "`dev`" + ` is tracked (FAULT while down)
  unless ` + "`no_track`" + `. Per-address ` + "`use_vmac`" + ` and static ` + "`track_group`" + ` are unsupported (refused).
- Route/rule options gokeepalived cannot install are unsupported (refused), per line (see vrrp/daemon/README.md).
`)
	return b.String()
}

func TestKeywordsDoc(t *testing.T) {
	want := renderKeywordsDoc()
	if *updateKeywordsDoc {
		if err := os.WriteFile("KEYWORDS.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("KEYWORDS.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("KEYWORDS.md is out of date: go test ./parser/keepalived -run KeywordsDoc -update-keywords")
	}
}

// Values of honoured keywords that are not run are reported too.
func TestUnsupportedValuesAreReported(t *testing.T) {
	conf := `global_defs {
 script_user root wheel
}
vrrp_script chk {
 script /bin/true
 user nobody daemon
}
vrrp_instance V {
 interface eth0
 virtual_router_id 9
 authentication {
  auth_type AH
  auth_pass secret
 }
 track_script {
  chk
 }
 virtual_ipaddress {
  10.0.0.9
 }
}
`
	r := Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb", Interfaces: []string{"lo", "eth0"},
		UserExists: func(n string) bool { return true }, FileMode: func(string) (os.FileMode, bool) { return 0o755, true }})
	want := map[string]int{
		"the group 'wheel' of script_user is parsed but not supported by gokeepalived yet: scripts run with the primary group of root":            2,
		"the group 'daemon' of vrrp_script chk is parsed but not supported by gokeepalived yet: the script runs with the primary group of nobody": 6,
		"'auth_type AH' is parsed but not supported by gokeepalived yet: adverts are sent without authentication":                                 12,
	}
	for _, d := range r.Diagnostics {
		if l, ok := want[d.Message]; ok && d.GohaOnly && d.Unsupported && d.Line == l {
			delete(want, d.Message)
		}
	}
	for m, l := range want {
		t.Errorf("no goha notice at line %d: %q\n%s", l, m, Format(r.Diagnostics))
	}
}
