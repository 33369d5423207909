package keepalived

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// wantClass is the class every keyword gokeepalived does not honour must
// have, per table of the blocks gokeepalived runs (honoured keywords
// say in their row where they are run). A keyword added to
// the tables without a decision here fails TestKeywordClasses.
var wantClass = map[string]map[Support]string{
	"root": {
		Refused: `net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance
			track_group linkbeat_interfaces interface_up_down_delays
			SSL virtual_server_group virtual_server bfd_instance`,
		Inert: `child_wait_time linkbeat_use_polling`,
	},
	"global_defs": {
		Refused: `notify_fifo_script vrrp_notify_fifo_script dynamic_interfaces vrrp_garp_extra_if
			vrrp_vmac_garp_intvl disable_local_igmp vmac_addr_prefix vrrp_ipsets nftables_ipvs
			nftables_ipvs_priority nftables_ipvs_start_fwmark fifo_write_vrrp_states_on_reload
			lvs_notify_fifo lvs_notify_fifo_script startup_script startup_script_timeout shutdown_script
			shutdown_script_timeout process_names process_name vrrp_process_name checker_process_name
			lvs_process_name bfd_process_name lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop
			lvs_sync_daemon snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived
			enable_snmp_checker enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_dbus
			dbus_service_name rs_init_notifies log_unknown_vrids umask reload_check_config
			reload_time_file reload_repeat reload_file config_save_dir data_use_instance`,
		Inert: `nftables_ifindex nftables_counters
			smtp_alert_checker no_checker_emails
			max_auto_priority min_auto_priority_delay vrrp_priority checker_priority bfd_priority
			vrrp_no_swap checker_no_swap bfd_no_swap vrrp_rt_priority checker_rt_priority
			bfd_rt_priority vrrp_cpu_affinity checker_cpu_affinity bfd_cpu_affinity vrrp_rlimit_rttime
			checker_rlimit_rttime bfd_rlimit_rttime vrrp_rlimit_rtime checker_rlimit_rtime
			bfd_rlimit_rtime vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force
			vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs
			lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs
			lvs_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs process_monitor_rcv_bufs_force
			vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier checker_log_all_failures random_seed
			tmp_config_directory`,
	},
	"vrrp_instance": {
		Refused: `notify_master_rx_lower_pri unicast_ttl garp_extra_if vmac_garp_intvl track_src_ip
			old_unicast_checksum use_vmac_addr use_ipvlan vrf lvs_sync_daemon_interface
			track_bfd`,
		Inert: `kernel_rx_buf_size debug linkbeat_use_polling`,
	},
	"vrrp_sync_group": {
		Refused: `track_bfd notify_priority_changes`,
	},
	"authentication":     {},
	"vrrp_script":        {},
	"track_file":         {},
	"vrrp_track_process": {},
	"garp_group":         {},
}

func TestKeywordClasses(t *testing.T) {
	for _, tab := range auditedTables() {
		want, ok := wantClass[tab.Name]
		if !ok {
			t.Errorf("table %s has no entry in wantClass", tab.Name)
			continue
		}
		listed := map[string]Support{}
		for class, list := range want {
			for _, n := range strings.Fields(list) {
				listed[n] = class
				if tab.lookup(n) == nil {
					t.Errorf("%s %s: in wantClass but not in the keyword table", tab.Name, n)
				}
			}
		}
		for _, k := range tab.order {
			class, ok := listed[k.Name]
			switch {
			case k.Honoured() && ok:
				t.Errorf("%s %s is honoured but listed %s in wantClass", tab.Name, k.Name, class)
			case k.Honoured():
				// its row says where (TestKeywordRowsSayWhere)
			case !ok:
				t.Errorf("%s %s (%s) has no decision: list it in wantClass as Refused or Inert", tab.Name, k.Name, k.Support)
			case class != k.Support:
				t.Errorf("%s %s is %s in the keyword table, want %s", tab.Name, k.Name, k.Support, class)
			}
			if k.Support == Inert && k.Why == "" {
				t.Errorf("%s %s is inert without saying why", tab.Name, k.Name)
			}
		}
	}
	// Inside a refused block everything is refused: the block's own alert
	// covers it, and nothing there can be inert or honoured.
	for _, tab := range allTables() {
		for _, k := range tab.order {
			if k.Sub == nil || k.Support != Refused {
				continue
			}
			for _, sub := range tablesUnder(k.Sub) {
				for _, kk := range sub.order {
					if kk.Support != Refused {
						t.Errorf("%s %s is %s inside the refused block %s", sub.Name, kk.Name, kk.Support, k.Name)
					}
				}
			}
		}
	}
}

func tablesUnder(t *Table) []*Table {
	out := []*Table{t}
	for _, k := range t.order {
		if k.Sub != nil && k.Sub != t {
			out = append(out, tablesUnder(k.Sub)...)
		}
	}
	return out
}

// classArgs gives keywords typed although not run a value keepalived
// accepts (a missing one would abort the parse).
var classArgs = map[string]string{
	"notify_fifo_script":         "/bin/true",
	"vrrp_notify_fifo_script":    "/bin/true",
	"notify_master_rx_lower_pri": "/bin/true",
	"unicast_ttl":                "10",
	"vmac_addr_prefix":           "00:00:5e",
	"garp_extra_if":              "5",
	"vmac_garp_intvl":            "5",
	"kernel_rx_buf_size":         "65536",
	"debug":                      "1",
}

// classConf writes every scalar and value keyword of the VRRP-side tables
// that is not honoured into one file, and returns where each one is.
func classConf() (string, map[string]int) {
	var conf []string
	line := map[string]int{} // "block kw" → line
	section := func(head, block string, tab *Table) {
		if head != "" {
			conf = append(conf, head+" {")
		}
		for _, k := range tab.order {
			if k.Honoured() || k.Kind == kwBlock || (tab == rootTable && k.Group != grpGlobal && k.Group != grpVRRP) {
				continue
			}
			s := " " + k.Name
			if a := classArgs[k.Name]; a != "" {
				s += " " + a
			}
			if k.Kind == kwValues {
				conf = append(conf, s+" {", "  x", " }")
				line[block+" "+k.Name] = len(conf) - 2
				continue
			}
			conf = append(conf, s)
			line[block+" "+k.Name] = len(conf)
		}
		if block == "vrrp_instance" {
			conf = append(conf, " interface eth0", " virtual_router_id 9", " virtual_ipaddress {", "  10.0.0.9", " }")
		}
		if block == "vrrp_sync_group" {
			conf = append(conf, " group {", "  V", " }")
		}
		if head != "" {
			conf = append(conf, "}")
		}
	}
	section("global_defs", "global_defs", globalDefsTable)
	section("vrrp_instance V", "vrrp_instance", vrrpInstanceTable)
	section("vrrp_sync_group G", "vrrp_sync_group", syncGroupTable)
	section("", "root", rootTable)
	return strings.Join(conf, "\n") + "\n", line
}

// Every keyword that is not honoured is reported with its line, in the
// words of its class: refused ones as "not supported" (failing -t), inert
// ones as "has no effect in goha".
func TestEveryClassIsReported(t *testing.T) {
	conf, line := classConf()
	r := Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb",
		Interfaces: []string{"lo", "eth0"}, UserExists: func(n string) bool { return n == "root" },
		FileMode: func(string) (os.FileMode, bool) { return 0o755, true }})
	got := map[string]Diagnostic{}
	for _, d := range r.Diagnostics {
		if d.GohaOnly {
			got[fmt.Sprintf("%d %s", d.Line, d.Message)] = d
		}
	}
	keys := make([]string, 0, len(line))
	for k := range line {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		block, kw, _ := strings.Cut(key, " ")
		var tab *Table
		for _, x := range auditedTables() {
			if x.Name == block {
				tab = x
			}
		}
		k := tab.lookup(kw)
		var want string
		switch k.Support {
		case Refused:
			want = fmt.Sprintf("%d '%s' is parsed but not supported by gokeepalived yet", line[key], kw)
		case Inert:
			want = fmt.Sprintf("%d '%s' has no effect in goha: %s", line[key], kw, k.Why)
		}
		d, ok := got[want]
		switch {
		case !ok:
			t.Errorf("%s (%s): no notice %q\n%s", key, k.Support, want, Format(r.Diagnostics))
		case d.Unsupported != (k.Support == Refused):
			t.Errorf("%s: Unsupported = %v for a %s keyword", key, d.Unsupported, k.Support)
		}
	}
	if !RefusesStart(r.Diagnostics) || r.LintExitCode == 0 {
		t.Errorf("refused keywords must fail the lint: exit %d", r.LintExitCode)
	}
}

// The operator's override turns refusals into warnings that say so, and
// -t no longer fails for them; inert keywords never fail it.
func TestAllowUnsupported(t *testing.T) {
	cases := []struct {
		name, conf string
		allow      bool
		rc         int
		msg        string
	}{
		{"virtual_server", "virtual_server 10.0.0.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n  }\n }\n}\n",
			false, ExitUnsupported, "(k.conf: Line 1) 'virtual_server' is parsed but not supported by gokeepalived yet"},
		{"virtual_server allowed", "virtual_server 10.0.0.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n  }\n }\n}\n",
			true, 0, "(k.conf: Line 1) 'virtual_server' is parsed but not supported by gokeepalived yet" + AllowedSuffix},
		{"auth AH", "vrrp_instance V {\n interface eth0\n state BACKUP\n virtual_router_id 9\n authentication {\n  auth_type AH\n  auth_pass secret\n }\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n",
			false, ExitUnsupported, "(k.conf: Line 6) 'auth_type AH' is parsed but not supported by gokeepalived yet: adverts are sent without authentication"},
		{"checker email is inert", "global_defs {\n notification_email {\n  root@localhost\n }\n smtp_server 127.0.0.1\n smtp_alert_checker\n}\n",
			false, 0, "(k.conf: Line 6) 'smtp_alert_checker' has no effect in goha: " + whyCheckerEmail},
		// keepalived's own status wins over goha's refusal
		{"keepalived error wins", "track_group G {\n group {\n  V\n }\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 9\n priority 300\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n",
			false, 5, "(k.conf: Line 1) 'track_group' is parsed but not supported by gokeepalived yet"},
		// strict mode drops the authentication (keepalived's own message):
		// AH is never used, so nothing is refused
		{"AH under vrrp_strict", "global_defs {\n vrrp_strict\n}\nvrrp_instance V {\n interface eth0\n state BACKUP\n virtual_router_id 9\n authentication {\n  auth_type AH\n  auth_pass secret\n }\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n",
			false, 5, "(V) Strict mode does not support authentication. Ignoring."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Lint(Options{File: "k.conf", Data: []byte(c.conf), ConfigID: "lb", Interfaces: []string{"lo", "eth0"},
				AllowUnsupported: c.allow, UserExists: func(string) bool { return true }})
			if r.LintExitCode != c.rc {
				t.Errorf("exit %d, want %d\n%s", r.LintExitCode, c.rc, Format(r.Diagnostics))
			}
			if !strings.Contains("\n"+Format(r.Diagnostics), c.msg+"\n") {
				t.Errorf("no %q in\n%s", c.msg, Format(r.Diagnostics))
			}
			if refused := strings.Contains(c.msg, "not supported") && !c.allow; RefusesStart(r.Diagnostics) != refused {
				t.Errorf("RefusesStart = %v", RefusesStart(r.Diagnostics))
			}
		})
	}
}

// Arguments of honoured keywords the runtime does not act on are
// unsupported too.
func TestUnsupportedArguments(t *testing.T) {
	conf := "global_defs {\n notify_fifo /run/k.fifo nobody\n vrrp_notify_fifo /run/v.fifo nobody nogroup\n}\n" +
		"track_file f {\n file /run/f\n init_file 5 overwrite\n}\n"
	r := Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb", Interfaces: []string{"lo"},
		UserExists: func(string) bool { return true }})
	for _, want := range []string{
		"goha: (k.conf: Line 2) the user and group of notify_fifo are parsed but not supported by gokeepalived yet: the FIFO belongs to root\n",
		"goha: (k.conf: Line 3) the user and group of vrrp_notify_fifo are parsed but not supported by gokeepalived yet: the FIFO belongs to root\n",
		"goha: (k.conf: Line 7) 'overwrite' of init_file is parsed but not supported by gokeepalived yet: an existing file is kept\n",
	} {
		if !strings.Contains(Format(r.Diagnostics), want) {
			t.Errorf("no %q in\n%s", want, Format(r.Diagnostics))
		}
	}
	if !RefusesStart(r.Diagnostics) || r.LintExitCode != ExitUnsupported {
		t.Errorf("exit %d, refuses %v", r.LintExitCode, RefusesStart(r.Diagnostics))
	}
}
