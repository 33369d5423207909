package keepalived

import (
	"sort"
	"strings"
)

// kwKind says how keepalived reads what follows a keyword.
type kwKind uint8

const (
	kwScalar kwKind = iota // arguments on the keyword's line only
	kwValues               // a "{ ... }" block of value lines (virtual_ipaddress, track_script, ...)
	kwBlock                // a "{ ... }" block of keywords of its own table
)

// procGroup is the keepalived process whose parse activates a root keyword.
// keepalived parses the file once per process (parent, vrrp, checkers, bfd)
// with only that process's root keywords active; the others are skipped.
type procGroup uint8

const (
	grpGlobal procGroup = iota // parent process: global_defs and daemon settings
	grpVRRP
	grpCheck
	grpBFD
)

// Support is what gokeepalived does with a keyword: the project's
// fail-closed policy (issue 16) as data, one value per keyword.
type Support uint8

const (
	// Honoured: run with keepalived 2.2.7's semantics.
	Honoured Support = iota
	// Refused: parsed (and checked as keepalived checks it) but not run.
	// `-t` reports it as "not supported" with its line and fails; the
	// daemon refuses to start (or to reload to such a file) unless the
	// operator passes --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	Refused
	// Inert: keepalived's documented effect cannot change which VRRP
	// state is taken, which addresses, routes or rules are installed,
	// what is sent on the wire or which scripts run (email alerts,
	// process scheduling, buffer sizes). Accepted with a warning that
	// contains "has no effect in goha".
	Inert
)

func (s Support) String() string {
	switch s {
	case Refused:
		return "unsupported"
	case Inert:
		return "inert"
	}
	return "honoured"
}

// Keyword is one entry of keepalived 2.2.7's keyword tree.
type Keyword struct {
	Name    string
	Block   string // name of the table (block) the keyword belongs to
	Kind    kwKind
	Args    string  // argument kind and range, as documented by keepalived.conf(5)
	Support Support // honoured, unsupported (refused) or inert
	// Why says, for an inert keyword, what goha does not do with it.
	Why string
	// Typed: not run but still typed, so that keepalived's own checks of
	// the value and its effect on other keywords (strict-mode resets,
	// deprecations) stay reproduced.
	Typed bool
	Group procGroup
	Sub   *Table
	Named bool // a value block whose keyword line carries a name
}

// Honoured says whether gokeepalived's runtime implements the keyword.
func (k *Keyword) Honoured() bool { return k.Support == Honoured }

// Table is the set of keywords valid inside one block.
type Table struct {
	Name  string
	byKey map[string]*Keyword
	order []*Keyword
}

func (t *Table) lookup(name string) *Keyword { return t.byKey[name] }

// Keywords lists the table's keywords in declaration order.
func (t *Table) Keywords() []*Keyword { return t.order }

func newTable(name string, groups ...[]*Keyword) *Table {
	t := &Table{Name: name, byKey: map[string]*Keyword{}}
	for _, g := range groups {
		for _, k := range g {
			k.Block = name
			if _, dup := t.byKey[k.Name]; !dup {
				t.order = append(t.order, k)
			}
			t.byKey[k.Name] = k
		}
	}
	return t
}

func words(list string, kind kwKind, sup Support) []*Keyword {
	var out []*Keyword
	for _, n := range strings.Fields(list) {
		out = append(out, &Keyword{Name: n, Kind: kind, Support: sup, Args: argDocs[n]})
	}
	return out
}

// Constructors by class: rt (honoured), unsup (refused), inert (warned);
// the *Vals forms are "{ ... }" value blocks.
func rt(list string) []*Keyword        { return words(list, kwScalar, Honoured) }
func unsup(list string) []*Keyword     { return words(list, kwScalar, Refused) }
func rtVals(list string) []*Keyword    { return words(list, kwValues, Honoured) }
func unsupVals(list string) []*Keyword { return words(list, kwValues, Refused) }

// inert keywords carry why they have no effect (shown in the warning).
func inert(why, list string) []*Keyword {
	ks := words(list, kwScalar, Inert)
	for _, k := range ks {
		k.Why = why
	}
	return ks
}

func inertVals(why, list string) []*Keyword {
	ks := inert(why, list)
	for _, k := range ks {
		k.Kind = kwValues
	}
	return ks
}

// typed marks keywords gokeepalived does not run but still types (see Keyword.Typed).
func typed(ks []*Keyword) []*Keyword {
	for _, k := range ks {
		k.Typed = true
	}
	return ks
}

func block(name string, sup Support, sub *Table) []*Keyword {
	return []*Keyword{{Name: name, Kind: kwBlock, Support: sup, Sub: sub, Args: argDocs[name]}}
}

func inGroup(g procGroup, ks ...[]*Keyword) []*Keyword {
	var out []*Keyword
	for _, k := range ks {
		for _, kw := range k {
			kw.Group = g
			out = append(out, kw)
		}
	}
	return out
}

// argDocs documents arguments of the keywords the runtime consumes.
var argDocs = map[string]string{
	"state":                           "MASTER|BACKUP",
	"interface":                       "<STRING> existing interface",
	"virtual_router_id":               "<INT 1..255>",
	"priority":                        "<INT 1..255>",
	"advert_int":                      "<TIMER 0.01..255 s>",
	"version":                         "2|3",
	"vrrp_version":                    "2|3",
	"preempt_delay":                   "<TIMER 0..1000 s>",
	"vrrp_garp_interval":              "<TIMER 0.000001..4294.967295 s>",
	"vrrp_gna_interval":               "<TIMER 0.000001..4294.967295 s>",
	"vrrp_garp_master_delay":          "<INT 0..> s",
	"vrrp_garp_master_repeat":         "<INT 1..>",
	"vrrp_garp_master_refresh":        "<INT 0..> s",
	"vrrp_garp_master_refresh_repeat": "<INT 1..>",
	"garp_master_delay":               "<INT 0..> s",
	"garp_master_repeat":              "<INT 1..>",
	"garp_master_refresh":             "<INT 0..> s",
	"garp_master_refresh_repeat":      "<INT 1..>",
	"auth_type":                       "PASS|AH",
	"auth_pass":                       "<STRING> first 8 characters used",
	"weight":                          "<INT -253..253>",
	"interval":                        "<INT seconds>",
	"timeout":                         "<INT seconds>",
	"rise":                            "<INT 1..>",
	"fall":                            "<INT 1..>",
	"router_id":                       "<STRING>",
	"vrrp_strict":                     "(flag)",
	"nopreempt":                       "(flag)",
	"accept":                          "(flag)",
	"use_vmac":                        "[<NAME>]",
	"unicast_src_ip":                  "<IP>",
	"mcast_src_ip":                    "<IP>",
	"virtual_ipaddress":               "{ IP[/LEN] [brd IP] [dev IF] [scope S] [label L] ... }",
	"unicast_peer":                    "{ IP [min_ttl N] [max_ttl N] }",
	"track_script":                    "{ NAME [weight W [reverse]] }",
	"track_interface":                 "{ IF [weight W [reverse]] }",
	"track_file":                      "{ NAME [weight W [reverse]] }",
}

// Why inert keywords have no effect in goha.
const (
	whyEmail   = "email alerts are not sent"
	whySched   = "process scheduling, memory locking and real-time limits of keepalived's child processes"
	whyBuffers = "kernel socket buffer sizes are the kernel's defaults"
)

var (
	globalDefsTable = newTable("global_defs",
		rt(`router_id include_check vrrp_strict vrrp_skip_check_adv_addr vrrp_garp_interval vrrp_gna_interval
			vrrp_garp_master_delay vrrp_garp_master_repeat vrrp_garp_master_refresh
			vrrp_garp_master_refresh_repeat vrrp_garp_lower_prio_delay vrrp_garp_lower_prio_repeat
			vrrp_min_garp vrrp_lower_prio_no_advert vrrp_higher_prio_send_advert vrrp_version
			vrrp_mcast_group4 vrrp_mcast_group6 vrrp_check_unicast_src vrrp_iptables nftables
			nftables_priority script_user enable_script_security
			notify_fifo vrrp_notify_fifo vrrp_startup_delay default_interface vrrp_notify_priority_changes
			vmac_prefix vrrp_down_timer_adverts`),
		// Audited in KEYWORDS.md: stored by the parser but not acted on by the runner.
		typed(unsup(`notify_fifo_script vrrp_notify_fifo_script dynamic_interfaces`)),
		typed(inert("the link-local VIP rules always match interface indexes", `nftables_ifindex`)),
		typed(inert("the nftables rules carry no counters", `nftables_counters`)),
		unsup(`vrrp_garp_extra_if vrrp_vmac_garp_intvl disable_local_igmp vmac_addr_prefix`),
		unsup(`vrrp_ipsets nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark
			fifo_write_vrrp_states_on_reload lvs_notify_fifo lvs_notify_fifo_script startup_script
			startup_script_timeout shutdown_script shutdown_script_timeout process_names process_name
			vrrp_process_name checker_process_name lvs_process_name bfd_process_name
			lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon
			snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_checker
			enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_dbus dbus_service_name
			rs_init_notifies log_unknown_vrids umask reload_check_config reload_time_file reload_repeat
			reload_file config_save_dir data_use_instance`),
		inert(whyEmail, `notification_email_from smtp_server smtp_helo_name smtp_connect_timeout smtp_alert
			smtp_alert_vrrp smtp_alert_checker no_email_faults no_checker_emails`),
		inertVals(whyEmail, `notification_email`),
		inert(whySched, `max_auto_priority min_auto_priority_delay vrrp_priority checker_priority bfd_priority
			vrrp_no_swap checker_no_swap bfd_no_swap vrrp_rt_priority checker_rt_priority bfd_rt_priority
			vrrp_cpu_affinity checker_cpu_affinity bfd_cpu_affinity vrrp_rlimit_rttime
			checker_rlimit_rttime bfd_rlimit_rttime vrrp_rlimit_rtime checker_rlimit_rtime
			bfd_rlimit_rtime`),
		inert(whyBuffers, `vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs
			vrrp_netlink_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force
			lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs
			process_monitor_rcv_bufs_force vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier`),
		inert("the checker process is not part of gokeepalived (virtual_server is refused)", `checker_log_all_failures`),
		inert("it seeds keepalived's own random numbers only", `random_seed`),
		inert("gokeepalived keeps no temporary copy of the configuration", `tmp_config_directory`),
	)

	authTable = newTable("authentication", rt(`auth_type auth_pass`))

	vrrpInstanceTable = newTable("vrrp_instance",
		rt(`state interface virtual_router_id priority advert_int nopreempt preempt preempt_delay
			accept no_accept notify_master notify_backup notify_fault notify_stop notify version
			strict_mode skip_check_adv_addr garp_master_delay garp_master_repeat garp_master_refresh
			garp_master_refresh_repeat garp_lower_prio_delay garp_lower_prio_repeat
			lower_prio_no_advert higher_prio_send_advert dont_track_primary mcast_src_ip mcast_dst_ip
			unicast_src_ip check_unicast_src use_vmac vmac_xmit_base native_ipv6 notify_priority_changes
			promote_secondaries unicast_fault_no_peer down_timer_adverts notify_deleted`),
		// Audited in KEYWORDS.md: stored by the parser but not acted on by the runner.
		typed(unsup(`notify_master_rx_lower_pri unicast_ttl`)),
		unsup(`garp_extra_if vmac_garp_intvl track_src_ip old_unicast_checksum use_vmac_addr`),
		inert(whyBuffers, `kernel_rx_buf_size`),
		inert("keepalived only shows it in the data dump", `debug`),
		inert(whyEmail, `smtp_alert`),
		inert("link state comes from netlink, as keepalived's default", `linkbeat_use_polling`),
		unsup(`use_ipvlan vrf lvs_sync_daemon_interface`),
		rtVals(`virtual_ipaddress virtual_ipaddress_excluded virtual_routes virtual_rules unicast_peer
			track_interface track_script track_file`),
		unsupVals(`track_process track_bfd`),
		block("authentication", Honoured, authTable),
	)

	syncGroupTable = newTable("vrrp_sync_group",
		rtVals(`group track_interface track_script track_file`),
		unsupVals(`track_process track_bfd`),
		rt(`notify_master notify_backup notify_fault notify_stop notify global_tracking
			sync_group_tracking_weight`),
		inert(whyEmail, `smtp_alert`),
		unsup(`notify_priority_changes`),
	)

	vrrpScriptTable = newTable("vrrp_script", rt(`script interval timeout weight rise fall user init_fail`))

	trackProcessTable = newTable("vrrp_track_process", unsup(`process param_match weight quorum
		quorum_max delay terminate_delay fork_delay full_command`))

	trackFileTable = newTable("track_file", rt(`file weight init_file`))

	garpGroupTable = newTable("garp_group", unsup(`garp_interval gna_interval interface`), unsupVals(`interfaces`))

	trackGroupTable = newTable("track_group", unsupVals(`group`))

	bfdTable = newTable("bfd_instance", unsup(`neighbor_ip neighbour_ip source_ip min_rx min_tx idle_tx
		multiplier passive ttl hoplimit max_hops weight vrrp checker`))

	sslTable = newTable("SSL", unsup(`password ca certificate key`))

	checkerCommon = `connect_ip connect_port bindto bind_port bind_if connect_timeout fwmark retry
		delay_before_retry warmup delay_loop alpha log_all_failures`

	urlTable = newTable("url", unsup(`path digest status_code virtualhost regex regex_no_match
		regex_options regex_min_offset regex_max_offset regex_stack`))

	httpCheckTable = newTable("HTTP_GET", unsup(checkerCommon+` http_protocol virtualhost enable_sni
		fast_recovery nb_get_retry`), block("url", Refused, urlTable))

	smtpHostTable = newTable("host", unsup(checkerCommon))

	realServerTable = newTable("real_server",
		unsup(`weight lvs_method uthreshold lthreshold inhibit_on_failure notify_up notify_down alpha
			retry delay_before_retry warmup connect_timeout delay_loop smtp_alert virtualhost snmp_name`),
		block("HTTP_GET", Refused, httpCheckTable),
		block("SSL_GET", Refused, httpCheckTable),
		block("TCP_CHECK", Refused, newTable("TCP_CHECK", unsup(checkerCommon))),
		block("SMTP_CHECK", Refused, newTable("SMTP_CHECK", unsup(checkerCommon+` helo_name`), block("host", Refused, smtpHostTable))),
		block("MISC_CHECK", Refused, newTable("MISC_CHECK", unsup(checkerCommon+` misc_path misc_timeout misc_dynamic user`))),
		block("DNS_CHECK", Refused, newTable("DNS_CHECK", unsup(checkerCommon+` type name`))),
		block("BFD_CHECK", Refused, newTable("BFD_CHECK", unsup(`name weight`))),
		block("UDP_CHECK", Refused, newTable("UDP_CHECK", unsup(checkerCommon+` payload require_reply min_reply_length max_reply_length`))),
		block("PING_CHECK", Refused, newTable("PING_CHECK", unsup(checkerCommon))),
		block("FILE_CHECK", Refused, newTable("FILE_CHECK", unsup(`track_file weight`))),
	)

	virtualServerTable = newTable("virtual_server",
		unsup(`lvs_sched lb_algo lvs_method lb_kind protocol persistence_engine persistence_timeout
			persistence_granularity ip_family hashed ops flag-1 flag-2 flag-3 sh-port sh-fallback
			mh-port mh-fallback ha_suspend virtualhost snmp_name alpha omega quorum hysteresis
			quorum_up quorum_down weight sorry_server sorry_server_inhibit sorry_server_lvs_method
			retry delay_before_retry warmup connect_timeout delay_loop inhibit_on_failure smtp_alert`),
		block("real_server", Refused, realServerTable),
	)

	// rootTable is keepalived.conf's top level.
	rootTable = newTable("root",
		inGroup(grpGlobal,
			block("global_defs", Honoured, globalDefsTable),
			unsup(`net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance`),
			inert("gokeepalived has no child processes to wait for", `child_wait_time`),
			inert("link state comes from netlink, as keepalived's default", `linkbeat_use_polling`),
		),
		inGroup(grpVRRP,
			block("vrrp_instance", Honoured, vrrpInstanceTable),
			block("vrrp_sync_group", Honoured, syncGroupTable),
			block("vrrp_script", Honoured, vrrpScriptTable),
			block("vrrp_track_process", Refused, trackProcessTable),
			block("track_file", Honoured, trackFileTable),
			block("vrrp_track_file", Honoured, trackFileTable),
			block("garp_group", Refused, garpGroupTable),
			block("track_group", Refused, trackGroupTable),
			unsupVals(`linkbeat_interfaces interface_up_down_delays`),
			rtVals(`static_ipaddress static_routes static_rules`),
		),
		inGroup(grpCheck,
			block("SSL", Refused, sslTable),
			named(unsupVals(`virtual_server_group`)),
			block("virtual_server", Refused, virtualServerTable),
		),
		inGroup(grpBFD,
			block("bfd_instance", Refused, bfdTable),
		),
	)
)

// RootKeywords exposes the keyword tree (for documentation and tests).
func RootKeywords() *Table { return rootTable }

// allKeywordNames returns every keyword name of a table and its sub-tables
// (used for "did you mean" hints).
func allKeywordNames(t *Table) []string {
	seen := map[string]bool{}
	var walk func(*Table)
	walk = func(t *Table) {
		for _, k := range t.order {
			seen[k.Name] = true
			if k.Sub != nil && k.Sub != t {
				walk(k.Sub)
			}
		}
	}
	walk(t)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func named(ks []*Keyword) []*Keyword {
	for _, k := range ks {
		k.Named = true
	}
	return ks
}
