package keepalived

// The checker (LVS/IPVS) and BFD processes' keyword tables: gokeepalived
// runs neither, so every keyword is refused; the checker's blocks are still
// typed for -t (checker_typer.go).

var (
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
)
