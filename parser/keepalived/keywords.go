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

// Keyword is one entry of keepalived 2.2.7's keyword tree.
type Keyword struct {
	Name    string
	Block   string // name of the table (block) the keyword belongs to
	Kind    kwKind
	Args    string // argument kind and range, as documented by keepalived.conf(5)
	Runtime bool   // implemented by gokeepalived's VRRP runtime
	// Typed: not run (reported as "parsed but not supported") but still
	// typed, so that keepalived's own checks of the value and its effect on
	// other keywords (strict-mode resets, deprecations) stay reproduced.
	Typed bool
	Group procGroup
	Sub   *Table
	Named bool // a value block whose keyword line carries a name
}

// Table is the set of keywords valid inside one block.
type Table struct {
	Name  string
	byKey map[string]*Keyword
	order []*Keyword
}

func (t *Table) lookup(name string) *Keyword { return t.byKey[name] }

// Keywords lists the table's keywords in declaration order.
func (t *Table) Keywords() []*Keyword { return t.order }

type kwOpt func(*Keyword)

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

func words(list string, kind kwKind, runtime bool) []*Keyword {
	var out []*Keyword
	for _, n := range strings.Fields(list) {
		out = append(out, &Keyword{Name: n, Kind: kind, Runtime: runtime, Args: argDocs[n]})
	}
	return out
}

// implemented scalars / unsupported scalars / value blocks
func rt(list string) []*Keyword    { return words(list, kwScalar, true) }
func unsup(list string) []*Keyword { return words(list, kwScalar, false) }
func rtVals(list string) []*Keyword {
	return words(list, kwValues, true)
}
func unsupVals(list string) []*Keyword { return words(list, kwValues, false) }

// unsupTyped are keywords gokeepalived does not run but still types (see Keyword.Typed).
func unsupTyped(list string) []*Keyword {
	ks := words(list, kwScalar, false)
	for _, k := range ks {
		k.Typed = true
	}
	return ks
}

func block(name string, runtime bool, sub *Table) []*Keyword {
	return []*Keyword{{Name: name, Kind: kwBlock, Runtime: runtime, Sub: sub, Args: argDocs[name]}}
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
		unsupTyped(`nftables_ifindex nftables_counters notify_fifo_script vrrp_notify_fifo_script
			dynamic_interfaces`),
		unsup(`vrrp_garp_extra_if vrrp_vmac_garp_intvl disable_local_igmp vmac_addr_prefix`),
		unsup(`vrrp_ipsets nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark
			fifo_write_vrrp_states_on_reload lvs_notify_fifo lvs_notify_fifo_script
			notification_email_from smtp_server smtp_helo_name smtp_connect_timeout smtp_alert
			smtp_alert_vrrp smtp_alert_checker no_email_faults checker_log_all_failures startup_script
			startup_script_timeout shutdown_script shutdown_script_timeout process_names process_name
			vrrp_process_name checker_process_name lvs_process_name bfd_process_name max_auto_priority
			min_auto_priority_delay vrrp_priority checker_priority bfd_priority vrrp_no_swap
			checker_no_swap bfd_no_swap vrrp_rt_priority checker_rt_priority bfd_rt_priority
			vrrp_cpu_affinity checker_cpu_affinity bfd_cpu_affinity vrrp_rlimit_rttime
			checker_rlimit_rttime bfd_rlimit_rttime vrrp_rlimit_rtime checker_rlimit_rtime
			bfd_rlimit_rtime lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon
			snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_checker
			enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_dbus dbus_service_name
			vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs
			vrrp_netlink_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force
			lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs
			process_monitor_rcv_bufs_force rs_init_notifies no_checker_emails vrrp_rx_bufs_policy
			vrrp_rx_bufs_multiplier log_unknown_vrids umask random_seed reload_check_config
			reload_time_file reload_repeat reload_file config_save_dir
			tmp_config_directory data_use_instance`),
		unsupVals(`notification_email`),
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
		unsupTyped(`notify_master_rx_lower_pri
			unicast_ttl`),
		unsup(`garp_extra_if vmac_garp_intvl track_src_ip old_unicast_checksum use_vmac_addr
			kernel_rx_buf_size debug`),
		unsup(`smtp_alert use_ipvlan vrf linkbeat_use_polling lvs_sync_daemon_interface`),
		rtVals(`virtual_ipaddress virtual_ipaddress_excluded virtual_routes virtual_rules unicast_peer
			track_interface track_script track_file`),
		unsupVals(`track_process track_bfd`),
		block("authentication", true, authTable),
	)

	syncGroupTable = newTable("vrrp_sync_group",
		rtVals(`group track_interface track_script track_file`),
		unsupVals(`track_process track_bfd`),
		rt(`notify_master notify_backup notify_fault notify_stop notify global_tracking
			sync_group_tracking_weight`),
		unsup(`smtp_alert notify_priority_changes`),
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
		fast_recovery nb_get_retry`), block("url", false, urlTable))

	smtpHostTable = newTable("host", unsup(checkerCommon))

	realServerTable = newTable("real_server",
		unsup(`weight lvs_method uthreshold lthreshold inhibit_on_failure notify_up notify_down alpha
			retry delay_before_retry warmup connect_timeout delay_loop smtp_alert virtualhost snmp_name`),
		block("HTTP_GET", false, httpCheckTable),
		block("SSL_GET", false, httpCheckTable),
		block("TCP_CHECK", false, newTable("TCP_CHECK", unsup(checkerCommon))),
		block("SMTP_CHECK", false, newTable("SMTP_CHECK", unsup(checkerCommon+` helo_name`), block("host", false, smtpHostTable))),
		block("MISC_CHECK", false, newTable("MISC_CHECK", unsup(checkerCommon+` misc_path misc_timeout misc_dynamic user`))),
		block("DNS_CHECK", false, newTable("DNS_CHECK", unsup(checkerCommon+` type name`))),
		block("BFD_CHECK", false, newTable("BFD_CHECK", unsup(`name weight`))),
		block("UDP_CHECK", false, newTable("UDP_CHECK", unsup(checkerCommon+` payload require_reply min_reply_length max_reply_length`))),
		block("PING_CHECK", false, newTable("PING_CHECK", unsup(checkerCommon))),
		block("FILE_CHECK", false, newTable("FILE_CHECK", unsup(`track_file weight`))),
	)

	virtualServerTable = newTable("virtual_server",
		unsup(`lvs_sched lb_algo lvs_method lb_kind protocol persistence_engine persistence_timeout
			persistence_granularity ip_family hashed ops flag-1 flag-2 flag-3 sh-port sh-fallback
			mh-port mh-fallback ha_suspend virtualhost snmp_name alpha omega quorum hysteresis
			quorum_up quorum_down weight sorry_server sorry_server_inhibit sorry_server_lvs_method
			retry delay_before_retry warmup connect_timeout delay_loop inhibit_on_failure smtp_alert`),
		block("real_server", false, realServerTable),
	)

	// rootTable is keepalived.conf's top level.
	rootTable = newTable("root",
		inGroup(grpGlobal,
			block("global_defs", true, globalDefsTable),
			unsup(`net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance
				child_wait_time linkbeat_use_polling`),
		),
		inGroup(grpVRRP,
			block("vrrp_instance", true, vrrpInstanceTable),
			block("vrrp_sync_group", true, syncGroupTable),
			block("vrrp_script", true, vrrpScriptTable),
			block("vrrp_track_process", false, trackProcessTable),
			block("track_file", true, trackFileTable),
			block("vrrp_track_file", true, trackFileTable),
			block("garp_group", false, garpGroupTable),
			block("track_group", false, trackGroupTable),
			unsupVals(`linkbeat_interfaces interface_up_down_delays`),
			rtVals(`static_ipaddress static_routes static_rules`),
		),
		inGroup(grpCheck,
			block("SSL", false, sslTable),
			named(unsupVals(`virtual_server_group`)),
			block("virtual_server", false, virtualServerTable),
		),
		inGroup(grpBFD,
			block("bfd_instance", false, bfdTable),
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
