package keepalived

// The keyword tables of keepalived's VRRP process (and of the parent's
// global_defs), one row per keyword as keepalived's install_keyword
// declares them: name, argument doc or Range, class, the handler that types
// it, and Where (honoured: the file:function running it; otherwise what is
// missing). KEYWORDS.md is generated from these rows (go generate).

// Why inert keywords have no effect in goha.
const (
	whyCheckerEmail = "it governs the checker process's emails only, and gokeepalived runs no checker (virtual_server is refused)"
	whySched        = "process scheduling, memory locking and real-time limits of keepalived's child processes"
	whyBuffers      = "kernel socket buffer sizes are the kernel's defaults"
)

var (
	globalDefsTable = newTable("global_defs",
		[]*Keyword{
			{Name: "router_id", Args: "<STRING>", Where: "vrrp/daemon/mapconfig.go:MapConfig (data dump, control.go:data)", handle: gdRouterID},
			{Name: "include_check", Where: "parser/keepalived/prepass_include.go:setIncludeCheck"},
			{Name: "vrrp_strict", Args: "(flag)", Where: "parser/keepalived/checks.go:completeInstance (strict rewrites) + vrrp/daemon/mapconfig.go:mapInstance", handle: gdVRRPStrict},
			{Name: "vrrp_skip_check_adv_addr", Where: "vrrp/instance.go:receive (SkipCheckAdvAddr)", handle: gdVRRPSkipCheckAdvAddr},
			{Name: "vrrp_garp_interval", Range: &Range{Min: 0.000001, Max: 4294.967295, Kind: numTimer}, Where: "vrrp/daemon/garp.go:drainGarps", Tests: "parser/keepalived/config_test.go:TestSeedLB2Config, vrrp/daemon/mapconfig_test.go:TestMapConfigSeeds, vrrp/daemon/runner_test.go:TestSeedMasterLifecycle (one GARP now, the next ones 100 s apart)", handle: gdGarpInterval},
			{Name: "vrrp_gna_interval", Range: &Range{Min: 0.000001, Max: 4294.967295, Kind: numTimer}, Where: "vrrp/daemon/garp.go:drainGarps", handle: gdGarpInterval},
			{Name: "vrrp_garp_master_delay", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/instance.go:becomeMaster (instance default)", handle: gdGarpDelay},
			{Name: "vrrp_garp_master_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:becomeMaster (instance default)", handle: gdGarpRepeat},
			{Name: "vrrp_garp_master_refresh", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/instance.go:timerExpired (instance default)", handle: gdGarpDelay},
			{Name: "vrrp_garp_master_refresh_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:timerExpired (instance default)", handle: gdGarpRepeat},
			{Name: "vrrp_garp_lower_prio_delay", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/instance.go:masterRx (instance default)", handle: gdGarpDelay},
			{Name: "vrrp_garp_lower_prio_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:masterRx (instance default)", handle: gdGarpRepeat},
			{Name: "vrrp_min_garp", Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: gdVRRPMinGarp},
			{Name: "vrrp_lower_prio_no_advert", Where: "vrrp/instance.go:masterRx (instance default)", handle: gdVRRPLowerPrioNoAdvert},
			{Name: "vrrp_higher_prio_send_advert", Where: "vrrp/instance.go:masterRx (instance default)", handle: gdVRRPHigherPrioSendAdvert},
			{Name: "vrrp_version", Args: "2|3", Range: &Range{Min: 2, Max: 3, Kind: numInt}, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: gdVRRPVersion},
			{Name: "vrrp_mcast_group4", Where: "vrrp/daemon/mapconfig.go:mapInstance (InstanceSpec.Group)", handle: gdMcastGroup},
			{Name: "vrrp_mcast_group6", Where: "vrrp/daemon/mapconfig.go:mapInstance (InstanceSpec.Group)", handle: gdMcastGroup},
			{Name: "vrrp_check_unicast_src", Where: "vrrp/validate.go:Validate (instance default)", handle: gdVRRPCheckUnicastSrc},
			{Name: "vrrp_iptables", Where: "parser/keepalived/typer.go:globalDefs (Debian's 2.2.7 has no iptables: nftables table 'keepalived', as keepalived)", handle: gdVRRPIptables},
			{Name: "nftables", Where: "vrrp/daemon/mapconfig.go:MapConfig (FirewallTable) → perform.go:firewall", handle: gdNftables},
			{Name: "nftables_priority", Range: &Range{Min: -2147483648, Max: 2147483647, Kind: numInt}, Where: "vrrp/daemon/mapconfig.go:MapConfig (FirewallPriority) → perform.go:firewall", handle: gdNftablesPriority},
			{Name: "script_user", Where: "vrrp/daemon/notify.go:notifyScripts, track.go:runScript (a group argument is unsupported: refused unless --allow-unsupported, then the user's own group is used)", handle: gdScriptUser},
			{Name: "enable_script_security", Where: "parser/keepalived/checks.go:secureScripts (insecure or missing track scripts disabled, SECURITY VIOLATION) + vrrp/daemon/mapconfig.go:secureNotify (notify scripts others may write are not run; file mode only, parent directories not checked)", handle: gdEnableScriptSecurity},
			{Name: "notify_fifo", Where: "vrrp/daemon/notify.go:notify (FIFO line; vrrp_notify_fifo wins), linux.go:OpenFIFO (created if missing, open for the daemon's lifetime; a user/group argument is unsupported)", handle: gdNotifyFIFO},
			{Name: "vrrp_notify_fifo", Where: "vrrp/daemon/notify.go:notify (FIFO line; a user/group argument is unsupported)", handle: gdNotifyFIFO},
			{Name: "vrrp_startup_delay", Range: &Range{Min: 0, Max: 3600, Kind: numTimer}, Where: "vrrp/daemon/start.go:beginStartupDelay, delayMasterDown (first master-down timer from the delay's end)", handle: gdVRRPStartupDelay},
			{Name: "default_interface", Where: "vrrp/daemon/mapconfig_routes.go:mapStatic (a static_ipaddress without dev goes on it, eth0 when unset)", handle: gdDefaultInterface},
			{Name: "vrrp_notify_priority_changes", Where: "vrrp/daemon/mapconfig.go:mapInstance → notify.go:notifyPriority (every instance; an instance's 'notify_priority_changes false' does not turn it off)", handle: gdVRRPNotifyPriorityChanges},
			{Name: "vmac_prefix", Where: "vrrp/daemon/mapconfig.go:mapInstance (use_vmac without a name: PREFIX.VRID, checked in a namespace)", handle: gdVMACPrefix},
			{Name: "vrrp_down_timer_adverts", Range: &Range{Min: 1, Max: 100}, Where: "vrrp/instance.go:MasterDownInterval (instance default; reset by strict mode)", handle: gdVRRPDownTimerAdverts},
			{Name: "notify_fifo_script", Support: Refused, Typed: true, Where: "the FIFO is written, no reader script is started", handle: gdNotifyFIFOScript},
			{Name: "vrrp_notify_fifo_script", Support: Refused, Typed: true, Where: "the FIFO is written, no reader script is started", handle: gdVRRPNotifyFIFOScript},
			{Name: "dynamic_interfaces", Support: Refused, Typed: true, Where: "interfaces must exist at start; a missing one is not waited for", handle: gdDynamicInterfaces},
			{Name: "nftables_ifindex", Support: Inert, Why: "the link-local VIP rules always match interface indexes", Typed: true, Where: "not switchable: the link-local VIP rules always match interface indexes (iif/oif)", handle: gdNftablesIfindex},
			{Name: "nftables_counters", Support: Inert, Why: "the nftables rules carry no counters", Typed: true, Where: "the no-accept rules carry no counters", handle: gdNftablesCounters},
			{Name: "vrrp_garp_extra_if", Support: Refused, Where: "no extra GARPs on other interfaces (not even stored)"},
			{Name: "vrrp_vmac_garp_intvl", Support: Refused, Where: "no GARP on a VMAC's parent (not even stored)"},
			{Name: "disable_local_igmp", Support: Refused, Where: "IGMP reports of VMACs follow the kernel default (not even stored)"},
			{Name: "vmac_addr_prefix", Support: Refused, Where: "VMACs use 00:00:5e:00:01/02 (not even stored)"},
		},
		unsup(`vrrp_ipsets nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark fifo_write_vrrp_states_on_reload lvs_notify_fifo lvs_notify_fifo_script startup_script startup_script_timeout shutdown_script shutdown_script_timeout process_names process_name vrrp_process_name checker_process_name lvs_process_name bfd_process_name lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_checker enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_dbus dbus_service_name rs_init_notifies log_unknown_vrids umask reload_check_config reload_time_file reload_repeat reload_file config_save_dir data_use_instance`),
		[]*Keyword{
			{Name: "notification_email", Kind: kwValues, Args: "{ ADDRESS ... }", Where: "vrrp/daemon/mail.go:mail → vrrp/smtpalert/dialogue.go:Message (one RCPT TO each, the To header)", Tests: "vrrp/daemon/mail_lab_test.go:TestEmailAlertsLikeKeepalived, vrrp/daemon/mail_errors_lab_test.go:TestEmailAlertErrorsLikeKeepalived, vrrp/smtpalert/dialogue_test.go:TestDialogue", handle: gdEmails},
			{Name: "notification_email_from", Args: "<ADDRESS>", Where: "vrrp/daemon/mapconfig_mail.go:mapMail (default user@host name)", handle: gdEmailFrom},
			{Name: "smtp_server", Args: "<IP> [PORT]", Where: "vrrp/daemon/mapconfig_mail.go:mapMail (port 25 by default; a host name is unsupported)", handle: gdSMTPServer},
			{Name: "smtp_helo_name", Args: "<NAME>", Where: "vrrp/smtpalert/dialogue.go (default: the host name)", handle: gdSMTPHelo},
			{Name: "smtp_connect_timeout", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/smtpalert/send.go:Send (each connect and reply; default 30 s)", handle: gdSMTPConnectTimeout},
			{Name: "smtp_alert", Args: "[on|off]", Where: "vrrp/daemon/mapconfig_mail.go:smtpAlert (instance and sync group default)", handle: gdSMTPAlert},
			{Name: "smtp_alert_vrrp", Args: "[on|off]", Where: "vrrp/daemon/mapconfig_mail.go:smtpAlert (instance and sync group default, before smtp_alert)", handle: gdSMTPAlert},
			{Name: "no_email_faults", Where: "vrrp/daemon/mail.go:shouldMail (FAULT not mailed)", handle: gdNoEmailFaults},
			{Name: "smtp_alert_checker", Support: Inert, Why: whyCheckerEmail, Typed: true, Where: "typed (keepalived's errors); the checker's mails are never sent", handle: gdSMTPAlert},
			{Name: "no_checker_emails", Support: Inert, Why: whyCheckerEmail, Typed: true, Where: "typed (keepalived's errors); the checker's mails are never sent", handle: gdSMTPAlert},
		},
		inert("process scheduling, memory locking and real-time limits of keepalived's child processes", `max_auto_priority min_auto_priority_delay vrrp_priority checker_priority bfd_priority vrrp_no_swap checker_no_swap bfd_no_swap vrrp_rt_priority checker_rt_priority bfd_rt_priority vrrp_cpu_affinity checker_cpu_affinity bfd_cpu_affinity vrrp_rlimit_rttime checker_rlimit_rttime bfd_rlimit_rttime vrrp_rlimit_rtime checker_rlimit_rtime bfd_rlimit_rtime`),
		inert("kernel socket buffer sizes are the kernel's defaults", `vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs process_monitor_rcv_bufs_force vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier`),
		inert("the checker process is not part of gokeepalived (virtual_server is refused)", `checker_log_all_failures`),
		inert("it seeds keepalived's own random numbers only", `random_seed`),
		inert("gokeepalived keeps no temporary copy of the configuration", `tmp_config_directory`),
	).sites("typer.go:globalDefs", "typer.go:newTyper")

	authTable = newTable("authentication", []*Keyword{
		{Name: "auth_type", Args: "PASS|AH", Where: "vrrp/daemon/mapconfig.go:mapInstance (PASS, VRRPv2; AH is reported by the parser and adverts go without authentication)"},
		{Name: "auth_pass", Args: "<STRING> first 8 characters used", Where: "vrrp/advert.go, vrrp/validate.go:Validate (8 bytes)"},
	}).sites("vrrp_instance.go:instAuthentication", "vrrp.go:instance")

	vrrpInstanceTable = newTable("vrrp_instance",
		[]*Keyword{
			{Name: "state", Args: "MASTER|BACKUP", Where: "vrrp/daemon/mapconfig.go:mapInstance (StartMaster)", handle: instState},
			{Name: "interface", Args: "<STRING> existing interface", Where: "vrrp/daemon/mapconfig.go:mapInstance → conn.go:conn", handle: instInterface},
			{Name: "virtual_router_id", Range: &Range{Min: 1, Max: 255}, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: instVRID},
			{Name: "priority", Range: &Range{Min: 1, Max: 255}, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: instPriority},
			{Name: "advert_int", Range: &Range{Min: 0.01, Max: 255, Kind: numTimer}, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: instAdvertInt},
			{Name: "nopreempt", Args: "(flag)", Where: "vrrp/instance.go:backupRx", handle: instNopreempt},
			{Name: "preempt", Where: "vrrp/instance.go:backupRx (clears nopreempt)", handle: instPreempt},
			{Name: "preempt_delay", Range: &Range{Min: 0, Max: 1000, Kind: numTimer}, Where: "vrrp/instance.go:backupRx", Tests: "vrrp/transcript_test.go:TestTranscripts (vrrp/testdata/transcripts/nopreempt.txt), parser/keepalived/golden_test.go:TestGoldenKeepalived (testdata/keepalived/bad-preempt-delay-range.conf, block-preempt-delay.conf)", handle: instPreemptDelay},
			{Name: "accept", Args: "(flag)", Where: "vrrp/daemon/perform.go:firewall (no drop rules)", handle: instAccept},
			{Name: "no_accept", Where: "vrrp/daemon/perform.go:firewall (nftables drop rules while MASTER)", handle: instNoAccept},
			{Name: "notify_master", Where: "vrrp/daemon/notify.go:notify", handle: instNotify},
			{Name: "notify_backup", Where: "vrrp/daemon/notify.go:notify", handle: instNotify},
			{Name: "notify_fault", Where: "vrrp/daemon/notify.go:notify", handle: instNotify},
			{Name: "notify_stop", Where: "vrrp/daemon/notify.go:notify", handle: instNotify},
			{Name: "notify", Where: "vrrp/daemon/notify.go:notify", handle: instNotify},
			{Name: "version", Args: "2|3", Range: &Range{Min: 2, Max: 3, Kind: numInt}, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: instVersion},
			{Name: "strict_mode", Where: "parser/keepalived/checks.go:completeInstance + vrrp/daemon/mapconfig.go:mapInstance", handle: instStrictMode},
			{Name: "skip_check_adv_addr", Where: "vrrp/instance.go:receive", handle: instSkipCheckAdvAddr},
			{Name: "garp_master_delay", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/instance.go:becomeMaster", handle: instGarpDelay},
			{Name: "garp_master_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:becomeMaster", handle: instGarpRepeat},
			{Name: "garp_master_refresh", Range: &Range{Min: 0, Max: 1<<32 - 1, Unit: "s"}, Where: "vrrp/instance.go:timerExpired", handle: instGarpMasterRefresh},
			{Name: "garp_master_refresh_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:timerExpired", handle: instGarpRepeat},
			{Name: "garp_lower_prio_delay", Range: &Range{Min: 0, Max: 4294, Unit: "s"}, Where: "vrrp/instance.go:masterRx", handle: instGarpDelay},
			{Name: "garp_lower_prio_repeat", Range: &Range{Min: 0, Max: 1<<31 - 1}, Where: "vrrp/instance.go:masterRx", handle: instGarpRepeat},
			{Name: "lower_prio_no_advert", Where: "vrrp/instance.go:masterRx", handle: instLowerPrioNoAdvert},
			{Name: "higher_prio_send_advert", Where: "vrrp/instance.go:masterRx", handle: instHigherPrioSendAdvert},
			{Name: "dont_track_primary", Where: "vrrp/instance.go:faulty, syncgroup.go:ownFault", handle: instDontTrackPrimary},
			{Name: "mcast_src_ip", Args: "<IP>", Where: "vrrp/daemon/mapconfig.go:mapInstance (SrcAddr)", handle: instMcastSrcIP},
			{Name: "mcast_dst_ip", Where: "vrrp/daemon/mapconfig.go:mapInstance (InstanceSpec.Group)", handle: instMcastDstIP},
			{Name: "unicast_src_ip", Args: "<IP>", Where: "vrrp/daemon/mapconfig.go:mapInstance (SrcAddr)", handle: instUnicastSrcIP},
			{Name: "check_unicast_src", Where: "vrrp/validate.go:Validate", handle: instCheckUnicastSrc},
			{Name: "use_vmac", Args: "[<NAME>]", Where: "vrrp/daemon/hostnet.go:createVMAC", handle: instUseVMAC},
			{Name: "vmac_xmit_base", Where: "vrrp/daemon/conn.go:connSpecOf", handle: instVMACXmitBase},
			{Name: "native_ipv6", Where: "parser/keepalived/checks.go:complete (IPv6: refused without a VIP, as keepalived) + vrrp/daemon/mapconfig.go:mapInstance; a valid instance's IPv6 VIPs already make it IPv6", handle: instNativeIPv6},
			{Name: "notify_priority_changes", Where: "vrrp/daemon/notify.go:notifyPriority (FIFO line `INSTANCE \"A\" BACKUP_PRIORITY 120`; no script is run, as keepalived)", handle: instNotifyPriorityChanges},
			{Name: "promote_secondaries", Where: "vrrp/daemon/hostnet.go:promoteSecondaries (sysctl set at start, put back to 0 on stop unless it was 1)", handle: instPromoteSecondaries},
			{Name: "unicast_fault_no_peer", Where: "vrrp/daemon/track.go:trackState (no peers: FAULT from the start, logged as keepalived; no deprecation at -t)", handle: instUnicastFaultNoPeer},
			{Name: "down_timer_adverts", Range: &Range{Min: 1, Max: 100}, Where: "vrrp/instance.go:MasterDownInterval (N adverts + skew; reset by strict mode)", handle: instDownTimerAdverts},
			{Name: "notify_deleted", Where: "vrrp/daemon/control.go:reload → notify.go:notify (instance gone on reload: this script without arguments, DELETED to notify/FIFO; without it FAULT)", handle: instNotify},
			{Name: "notify_master_rx_lower_pri", Support: Refused, Typed: true, Where: "not run", handle: instNotify},
			{Name: "unicast_ttl", Support: Refused, Typed: true, Range: &Range{Min: 0, Max: 255}, Where: "unicast adverts are sent with TTL 255", handle: instUnicastTTL},
			{Name: "garp_extra_if", Support: Refused, Where: "no extra GARPs on other interfaces (not even stored)"},
			{Name: "vmac_garp_intvl", Support: Refused, Where: "no GARP on a VMAC's parent (not even stored)"},
			{Name: "track_src_ip", Support: Refused, Where: "losing the advert source address does not put the instance in FAULT (not even stored)"},
			{Name: "old_unicast_checksum", Support: Refused, Where: "VRRPv3 unicast checksums always use the peer address (not even stored)"},
			{Name: "use_vmac_addr", Support: Refused, Where: "not even stored"},
			{Name: "kernel_rx_buf_size", Support: Inert, Why: "kernel socket buffer sizes are the kernel's defaults", Where: "the socket keeps the kernel's buffer size (not even stored)"},
			{Name: "debug", Support: Inert, Why: "keepalived only shows it in the data dump", Where: "keepalived only shows it in the data dump (not even stored)"},
			{Name: "virtual_ipaddress", Kind: kwValues, Args: "{ IP[/LEN] [brd IP] [dev IF] [scope S] [label L] ... }", Where: "vrrp/daemon/perform.go:vips", handle: instVIPs},
			{Name: "virtual_ipaddress_excluded", Kind: kwValues, Where: "vrrp/daemon/perform.go:vips (never sets the instance's family: parser/keepalived/vrrp_instance_addrs.go:instVIPs)", handle: instVIPs},
			{Name: "virtual_routes", Kind: kwValues, Where: "parser/keepalived/routes.go:ParseRoute → vrrp/daemon/hostnet.go:setRoutes", handle: instVirtualRoutes},
			{Name: "virtual_rules", Kind: kwValues, Where: "parser/keepalived/routes.go:ParseRule → vrrp/daemon/hostnet.go:setRoutes", handle: instVirtualRules},
			{Name: "unicast_peer", Kind: kwValues, Args: "{ IP [min_ttl N] [max_ttl N] }", Where: "vrrp/daemon/perform.go:sendAdvert; min_ttl/max_ttl in vrrp/validate.go:Validate", handle: instUnicastPeer},
			{Name: "track_interface", Kind: kwValues, Args: "{ IF [weight W [reverse]] }", Where: "vrrp/daemon/track.go:trackState", handle: instTrackInterface},
			{Name: "track_script", Kind: kwValues, Args: "{ NAME [weight W [reverse]] }", Where: "vrrp/daemon/track.go:trackState", handle: instTrackScript},
			{Name: "track_file", Kind: kwValues, Args: "{ NAME [weight W [reverse]] }", Where: "vrrp/daemon/track.go:trackState", handle: instTrackFile},
			{Name: "track_process", Kind: kwValues, Args: "{ NAME [weight W [reverse|noreverse]] }", Tests: "vrrp/daemon/trackprocess_lab_test.go:TestTrackProcessLikeKeepalived, parser/keepalived/golden_test.go:TestGoldenKeepalived (testdata/keepalived/bad-track-process.conf)", Where: "vrrp/daemon/trackprocess.go:processState", handle: instTrackProcess},
			{Name: "authentication", Kind: kwBlock, Sub: authTable, Where: "vrrp/daemon/mapconfig.go:mapInstance", handle: instAuthentication},
		},
		[]*Keyword{
			{Name: "smtp_alert", Args: "[on|off]", Where: "vrrp/daemon/mail.go:instanceMail (default: smtp_alert_vrrp, else smtp_alert)", handle: instSMTPAlert},
		},
		inert("link state comes from netlink, as keepalived's default", `linkbeat_use_polling`),
		unsup(`use_ipvlan vrf lvs_sync_daemon_interface`),
		unsupVals(`track_bfd`),
	).sites("vrrp.go:instanceKeyword", "vrrp.go:instance (from global_defs)")

	syncGroupTable = newTable("vrrp_sync_group",
		[]*Keyword{
			{Name: "group", Kind: kwValues, Where: "vrrp/daemon/start.go:buildGroups, vrrp/syncgroup.go:Step", handle: syncGroupMembers},
			{Name: "track_interface", Kind: kwValues, Args: "{ IF [weight W [reverse]] }", Where: "vrrp/daemon/mapconfig.go:MapConfig (added to every member)", handle: syncGroupTrackInterface},
			{Name: "track_script", Kind: kwValues, Args: "{ NAME [weight W [reverse]] }", Where: "vrrp/daemon/mapconfig.go:MapConfig (added to every member)", handle: syncGroupTrackScript},
			{Name: "track_file", Kind: kwValues, Args: "{ NAME [weight W [reverse]] }", Where: "vrrp/daemon/mapconfig.go:MapConfig (added to every member)", handle: syncGroupTrackFile},
			{Name: "notify_master", Where: "vrrp/daemon/notify.go:groupNotify", handle: syncGroupNotify},
			{Name: "notify_backup", Where: "vrrp/daemon/notify.go:groupNotify", handle: syncGroupNotify},
			{Name: "notify_fault", Where: "vrrp/daemon/notify.go:groupNotify", handle: syncGroupNotify},
			{Name: "notify_stop", Where: "vrrp/daemon/notify.go:groupNotify", handle: syncGroupNotify},
			{Name: "notify", Where: "vrrp/daemon/notify.go:groupNotify", handle: syncGroupNotify},
			{Name: "global_tracking", Where: "vrrp/daemon/mapconfig.go:syncMemberTrackers (as sync_group_tracking_weight, plus keepalived's deprecation)", handle: syncGroupTrackingWeight},
			{Name: "sync_group_tracking_weight", Where: "vrrp/daemon/mapconfig.go:syncMemberTrackers (without it a member's weighted trackers are dropped or made unweighted)", handle: syncGroupTrackingWeight},
			{Name: "track_process", Kind: kwValues, Args: "{ NAME [weight W [reverse|noreverse]] }", Tests: "vrrp/daemon/trackprocess_lab_test.go:TestTrackProcessSyncGroupLikeKeepalived", Where: "vrrp/daemon/mapconfig.go:MapConfig (added to every member, replacing a member's own entry of the same name)", handle: syncGroupTrackProcess},
			{Name: "notify_priority_changes", Support: Refused, Where: "priority changes are not notified (not even stored)"},
		},
		unsupVals(`track_bfd`),
		[]*Keyword{
			{Name: "smtp_alert", Args: "[on|off]", Where: "vrrp/daemon/mail.go:groupMail (default: smtp_alert_vrrp, else smtp_alert)", handle: syncGroupSMTPAlert},
		},
	).sites("vrrp_track.go:syncGroup", "vrrp_track.go:syncGroup")

	vrrpScriptTable = newTable("vrrp_script", []*Keyword{
		{Name: "script", Where: "vrrp/daemon/track.go:runScript", handle: scriptScript},
		{Name: "interval", Range: &Range{Min: 0, Max: 2147483, Kind: numTimer}, Where: "vrrp/daemon/track.go:runScript", handle: scriptInterval},
		{Name: "timeout", Range: &Range{Min: 0, Max: 2147483, Kind: numTimer}, Where: "vrrp/daemon/track.go:runScript", handle: scriptTimeout},
		{Name: "weight", Range: &Range{Min: -253, Max: 253, Kind: numInt}, Where: "vrrp/daemon/mapconfig.go:trackers → track.go:trackState", handle: scriptWeight},
		{Name: "rise", Range: &Range{Min: 1, Max: 1<<31 - 1}, Where: "vrrp/daemon/track.go:scriptResult", handle: scriptRiseFall},
		{Name: "fall", Range: &Range{Min: 1, Max: 1<<31 - 1}, Where: "vrrp/daemon/track.go:scriptResult", handle: scriptRiseFall},
		{Name: "user", Where: "vrrp/daemon/track.go:runScript (a group argument is unsupported: refused unless --allow-unsupported, then the user's own group is used)", handle: scriptUser},
		{Name: "init_fail", Where: "vrrp/daemon/track.go:startTrackers", handle: scriptInitFail},
	}).sites("vrrp_track.go:script", "vrrp_track.go:script")

	trackFileTable = newTable("track_file", []*Keyword{
		{Name: "file", Where: "vrrp/daemon/trackfile.go:followFile", handle: trackFileFile},
		{Name: "weight", Range: &Range{Min: -254, Max: 254, Kind: numInt}, Where: "vrrp/daemon/mapconfig.go:trackers → track.go:trackState", handle: trackFileWeight},
		{Name: "init_file", Where: "vrrp/daemon/track.go:startTrackers (creates a missing file; `overwrite` is unsupported)", handle: trackFileInitFile},
	}).sites("vrrp_track.go:trackFile", "vrrp_track.go:trackFile")

	trackProcessTable = newTable("vrrp_track_process", []*Keyword{
		{Name: "process", Args: "NAME [PARAM ...]", Tests: "vrrp/daemon/trackprocess_match_lab_test.go:TestTrackProcessMatchingLikeKeepalived", Where: "vrrp/daemon/procmatch.go:matches", handle: trackProcessProcess},
		{Name: "param_match", Args: "[initial|partial]", Tests: "vrrp/daemon/trackprocess_match_lab_test.go:TestTrackProcessMatchingLikeKeepalived", Where: "vrrp/daemon/procmatch.go:matches", handle: trackProcessParamMatch},
		{Name: "full_command", Tests: "vrrp/daemon/trackprocess_match_lab_test.go:TestTrackProcessMatchingLikeKeepalived", Where: "vrrp/daemon/procmatch.go:matches (the command line's first word)", handle: trackProcessFullCommand},
		{Name: "weight", Range: &Range{Min: -254, Max: 254, Kind: numInt}, Args: "<INT -254..254> [reverse]", Where: "vrrp/daemon/trackprocess.go:processState", handle: trackProcessWeight},
		{Name: "quorum", Range: &Range{Min: 1, Max: 65535}, Tests: "vrrp/daemon/trackprocess_lab_test.go:TestTrackProcessLikeKeepalived, vrrp/daemon/trackprocess_match_lab_test.go:TestTrackProcessMatchingLikeKeepalived", Where: "vrrp/daemon/trackprocess.go:processState", handle: trackProcessQuorum},
		{Name: "quorum_max", Range: &Range{Min: 0, Max: 65535}, Where: "vrrp/daemon/trackprocess.go:processState", handle: trackProcessQuorum},
		{Name: "delay", Range: &Range{Min: 0.000001, Max: 3600, Kind: numTimer}, Where: "vrrp/daemon/trackprocess.go:change (sets fork_delay and terminate_delay)", handle: trackProcessDelay},
		{Name: "fork_delay", Tests: "vrrp/daemon/trackprocess_test.go:TestProcWatcherDelays (from track_process.c; keepalived cannot be compared in a namespace)", Range: &Range{Min: 0.000001, Max: 3600, Kind: numTimer}, Where: "vrrp/daemon/trackprocess.go:change", handle: trackProcessDelay},
		{Name: "terminate_delay", Tests: "vrrp/daemon/trackprocess_test.go:TestProcWatcherDelays (from track_process.c; keepalived cannot be compared in a namespace)", Range: &Range{Min: 0.000001, Max: 3600, Kind: numTimer}, Where: "vrrp/daemon/trackprocess.go:change", handle: trackProcessDelay},
	}).sites("vrrp_track_process.go:trackProcess", "vrrp_track_process.go:trackProcess")

	garpGroupTable = newTable("garp_group", []*Keyword{
		{Name: "garp_interval", Range: &Range{Min: 0, Max: 2147.483647, Kind: numTimer}, Tests: "vrrp/daemon/garpgroup_lab_test.go:TestGarpGroupLikeKeepalived, parser/keepalived/golden_test.go:TestGoldenKeepalived (testdata/keepalived/bad-garp-group-*.conf)", Where: "vrrp/daemon/garp.go:queueGratuitous (the group's interfaces share one pace; without it their GARPs are not paced)", handle: garpGroupInterval},
		{Name: "gna_interval", Range: &Range{Min: 0, Max: 2147.483647, Kind: numTimer}, Tests: "vrrp/daemon/garpgroup_lab_test.go:TestGarpGroupLikeKeepalived (NA group and global)", Where: "vrrp/daemon/garp.go:queueGratuitous (as garp_interval, for unsolicited NAs)", handle: garpGroupInterval},
		{Name: "interface", Args: "<STRING> existing interface", Where: "vrrp/daemon/mapconfig.go:MapConfig (GarpPaces)", handle: garpGroupInterface},
		{Name: "interfaces", Kind: kwValues, Args: "{ IF ... }", Where: "vrrp/daemon/mapconfig.go:MapConfig (GarpPaces)", handle: garpGroupInterfaces},
	}).sites("garp_group.go:garpGroup", "garp_group.go:garpGroup")

	trackGroupTable = newTable("track_group", unsupVals(`group`))

	// rootTable is keepalived.conf's top level.
	rootTable = newTable("root",
		inGroup(grpGlobal,
			[]*Keyword{
				{Name: "global_defs", Kind: kwBlock, Sub: globalDefsTable, Where: "its keywords (below)"},
			},
			unsup(`net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance`),
			inert("gokeepalived has no child processes to wait for", `child_wait_time`),
			inert("link state comes from netlink, as keepalived's default", `linkbeat_use_polling`),
		),
		inGroup(grpVRRP,
			[]*Keyword{
				{Name: "vrrp_instance", Kind: kwBlock, Sub: vrrpInstanceTable, Where: "vrrp/daemon/mapconfig.go:mapInstance"},
				{Name: "vrrp_sync_group", Kind: kwBlock, Sub: syncGroupTable, Where: "vrrp/daemon/mapconfig.go:MapConfig, vrrp/syncgroup.go"},
				{Name: "vrrp_script", Kind: kwBlock, Sub: vrrpScriptTable, Where: "vrrp/daemon/track.go:runScript"},
			},
			[]*Keyword{
				{Name: "vrrp_track_process", Kind: kwBlock, Sub: trackProcessTable, Where: "vrrp/daemon/trackprocess.go:followProcesses"},
			},
			[]*Keyword{
				{Name: "track_file", Kind: kwBlock, Sub: trackFileTable, Where: "vrrp/daemon/trackfile.go:followFile"},
				{Name: "vrrp_track_file", Kind: kwBlock, Sub: trackFileTable, Where: "as track_file (the same block)"},
			},
			[]*Keyword{
				{Name: "garp_group", Kind: kwBlock, Sub: garpGroupTable, Where: "vrrp/daemon/garp.go:queueGratuitous"},
			},
			block("track_group", Refused, trackGroupTable),
			unsupVals(`linkbeat_interfaces interface_up_down_delays`),
			[]*Keyword{
				{Name: "static_ipaddress", Kind: kwValues, Where: "vrrp/daemon/hostnet.go:setStatic (without dev: on default_interface, eth0 when unset)"},
				{Name: "static_routes", Kind: kwValues, Where: "parser/keepalived/routes.go:ParseRoute → vrrp/daemon/hostnet.go:setStatic"},
				{Name: "static_rules", Kind: kwValues, Where: "parser/keepalived/routes.go:ParseRule → vrrp/daemon/hostnet.go:setStatic"},
			},
		),
		inGroup(grpCheck,
			block("SSL", Refused, sslTable),
			named(unsupVals(`virtual_server_group`)),
			block("virtual_server", Refused, virtualServerTable),
		),
		inGroup(grpBFD,
			block("bfd_instance", Refused, bfdTable),
		),
	).sites("vrrp.go:vrrpTree", "")
)
