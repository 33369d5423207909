package daemon

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

const vmacRoutesConf = `global_defs {
   router_id A
}
static_ipaddress {
   10.9.9.1/24 dev ens160
}
static_routes {
   10.20.0.0/16 via 192.168.110.254 dev ens160
   10.21.0.0/16 dev ens160 nexthop via 192.168.110.1
}
static_rules {
   from 10.40.0.0/16 table 100
}
vrrp_instance lb_ha {
    state MASTER
    interface ens160
    use_vmac
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.110.100/24
    }
    virtual_routes {
        10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5
        unreachable 10.60.0.0/16
    }
    virtual_rules {
        from 10.80.0.0/16 table 200 priority 200
        to 10.90.0.0/16 lookup 201
        to 10.91.0.0/16 lookup 201 pref 7
    }
}
`

func vmacConfig(t *testing.T, conf string) *Config {
	t.Helper()
	c, errs := MapConfig(lintFile(t, "/etc/keepalived/keepalived.conf", []byte(conf)), fakePrimary(map[string]string{"ens160": "192.168.110.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

func TestMapConfigVMACRoutes(t *testing.T) {
	c := vmacConfig(t, vmacRoutesConf)
	in := c.Instances[0]
	if in.VMAC == nil || *in.VMAC != (VMACSpec{Name: "vrrp.51", Parent: "ens160", VRID: 51, Table: "keepalived", Priority: -1}) || in.Interface != "vrrp.51" {
		t.Fatalf("vmac %+v interface %s", in.VMAC, in.Interface)
	}
	if in.SrcAddr.String() != "192.168.110.11" {
		t.Errorf("advert source %s, want the parent's primary address", in.SrcAddr)
	}
	if cs := connSpecOf(&in); cs.Interface != "vrrp.51" {
		t.Errorf("socket on %s", cs.Interface)
	}
	if len(in.Routes) != 2 || len(in.Rules) != 2 || len(c.StaticRoutes) != 1 || len(c.StaticRules) != 1 || len(c.StaticAddrs) != 1 {
		t.Fatalf("routes %d rules %d static %d/%d/%d", len(in.Routes), len(in.Rules), len(c.StaticRoutes), len(c.StaticRules), len(c.StaticAddrs))
	}
	// Rules without a preference get keepalived's 16384, 16383, ... in file order.
	if c.StaticRules[0].Priority != 16384 || in.Rules[1].Priority != 16383 || in.Rules[0].Priority != 200 {
		t.Errorf("priorities %d %d %d", c.StaticRules[0].Priority, in.Rules[0].Priority, in.Rules[1].Priority)
	}
	joined := strings.Join(c.Notices, "\n")
	for _, w := range []string{
		`goha: (Line 9) static_routes: route "10.21.0.0/16 dev ens160 nexthop via 192.168.110.1" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet`,
		`goha: (Line 31) (lb_ha) virtual_rules: rule "to 10.91.0.0/16 lookup 201 pref 7" is not installed: Unknown rule option pref`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("notices lack %q:\n%s", w, joined)
		}
	}
	if strings.Contains(joined, "not supported: adverts") || strings.Contains(joined, "are not applied") {
		t.Errorf("stale notices:\n%s", joined)
	}

	c = vmacConfig(t, strings.Replace(vmacRoutesConf, "use_vmac", "use_vmac vm51\n    vmac_xmit_base", 1))
	in = c.Instances[0]
	if *in.VMAC != (VMACSpec{Name: "vm51", Parent: "ens160", VRID: 51, XmitBase: true, Table: "keepalived", Priority: -1}) || connSpecOf(&in).Interface != "ens160" {
		t.Errorf("xmit_base: vmac %+v socket on %s", in.VMAC, connSpecOf(&in).Interface)
	}
}

func opsWith(ops []string, prefixes ...string) []string {
	var out []string
	for _, o := range ops {
		for _, p := range prefixes {
			if strings.HasPrefix(o, p) {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

func TestRunnerVMACRoutesLifecycle(t *testing.T) {
	h := newHarness(t, vmacConfig(t, vmacRoutesConf))
	hostOps := []string{"vmac", "route", "rule", "add ", "del ", "garp", "send"}
	want := []string{
		"add ens160 10.9.9.1/24",
		"route+ 10.20.0.0/16 via 192.168.110.254 dev ens160",
		"rule+ 16384 from 10.40.0.0/16 table 100",
		"vmac+ vrrp.51 ens160 51 v6=false base=false",
		// start: keepalived clears leftovers of a previous run
		"rule- 200 from 10.80.0.0/16 table 200 priority 200",
		"rule- 16383 to 10.90.0.0/16 lookup 201",
		"route- 10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5",
		"route- unreachable 10.60.0.0/16",
		"del vrrp.51 192.168.110.100/24",
	}
	if got := opsWith(h.f.take(), hostOps...); !slices.Equal(got, want) {
		t.Fatalf("start\n got %q\nwant %q", got, want)
	}
	if h.f.conns[0].spec.Interface != "vrrp.51" {
		t.Errorf("advert socket on %s", h.f.conns[0].spec.Interface)
	}
	logs := h.takeLogs()
	containsAll(t, "start logs", logs, "(lb_ha): Success creating VMAC interface vrrp.51",
		"(lb_ha) removing Virtual Rules", "(lb_ha) removing Virtual Routes", "(lb_ha) Entering BACKUP STATE (init)")
	if i, j := slices.Index(logs, "(lb_ha) removing Virtual Routes"), slices.Index(logs, "(lb_ha) Entering BACKUP STATE (init)"); i > j {
		t.Errorf("routes removed after the BACKUP entry:\n%s", strings.Join(logs, "\n"))
	}

	h.advance(4 * time.Second)
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Fatal("not MASTER")
	}
	want = []string{
		"send vrrp.51 224.0.0.18 " + strings.TrimPrefix(opsWith(h.f.ops, "send")[0], "send vrrp.51 224.0.0.18 "),
		"add vrrp.51 192.168.110.100/24",
		"route+ 10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5",
		"route+ unreachable 10.60.0.0/16",
		"rule+ 200 from 10.80.0.0/16 table 200 priority 200",
		"rule+ 16383 to 10.90.0.0/16 lookup 201",
	}
	got := opsWith(h.f.take(), hostOps...)
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) || !slices.Contains(got, "garp vrrp.51 192.168.110.100") {
		t.Fatalf("master entry\n got %q\nwant %q + garp vrrp.51", got, want)
	}
	containsAll(t, "master logs", h.takeLogs(), "(lb_ha) setting Virtual Routes", "(lb_ha) setting Virtual Rules",
		"(lb_ha) Sending/queueing gratuitous ARPs on vrrp.51 for 192.168.110.100")

	// Stop: priority 0, rules then routes then VIPs, then the VMAC and the static set.
	h.r.stop(h.clock)
	got = opsWith(h.f.take(), "vmac", "route", "rule", "add ", "del ")
	want = []string{
		"rule- 200 from 10.80.0.0/16 table 200 priority 200",
		"rule- 16383 to 10.90.0.0/16 lookup 201",
		"route- 10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5",
		"route- unreachable 10.60.0.0/16",
		"del vrrp.51 192.168.110.100/24",
		"vmac- vrrp.51",
		"vmac close",
		"rule- 16384 from 10.40.0.0/16 table 100",
		"route- 10.20.0.0/16 via 192.168.110.254 dev ens160",
		"del ens160 10.9.9.1/24",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stop\n got %q\nwant %q", got, want)
	}
	containsAll(t, "stop logs", h.takeLogs(), "(lb_ha): Success removing VMAC interface vrrp.51")
}

// TestVMACRoutesLogLevel: without -D keepalived 2.2.7 logs none of the
// VMAC, route and rule steps (seen in a namespace); the states stay.
func TestVMACRoutesLogLevel(t *testing.T) {
	h := newHarnessDetail(t, vmacConfig(t, vmacRoutesConf), false)
	h.advance(4 * time.Second)
	h.r.stop(h.clock)
	logs := strings.Join(h.takeLogs(), "\n")
	for _, w := range []string{"VMAC", "Virtual Routes", "Virtual Rules"} {
		if strings.Contains(logs, w) {
			t.Errorf("without -D the log has %q:\n%s", w, logs)
		}
	}
	if !strings.Contains(logs, "(lb_ha) Entering MASTER STATE") {
		t.Errorf("no MASTER entry:\n%s", logs)
	}
}

// TestReloadKeepsVMACAndMovesRoutes: a SIGHUP with the same VMAC keeps the
// macvlan and the MASTER state; a route dropped from the file is removed,
// a new one added, unchanged ones untouched; a dropped static route goes.
func TestReloadKeepsVMACAndMovesRoutes(t *testing.T) {
	h := newHarness(t, vmacConfig(t, vmacRoutesConf))
	h.advance(4 * time.Second)
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Fatal("not MASTER")
	}
	h.f.take()
	next := strings.Replace(vmacRoutesConf, "        unreachable 10.60.0.0/16\n", "        prohibit 10.61.0.0/16\n", 1)
	next = strings.Replace(next, "   10.20.0.0/16 via 192.168.110.254 dev ens160\n", "", 1)
	h.r.reload(vmacConfig(t, next), h.clock)
	got := opsWith(h.f.take(), "vmac", "route", "rule", "add ", "del ")
	want := []string{
		"route- 10.20.0.0/16 via 192.168.110.254 dev ens160",
		"route- unreachable 10.60.0.0/16",
		"add vrrp.51 192.168.110.100/24",
		"route+ 10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5",
		"route+ prohibit 10.61.0.0/16",
		"rule+ 200 from 10.80.0.0/16 table 200 priority 200",
		"rule+ 16383 to 10.90.0.0/16 lookup 201",
	}
	// The static set is re-applied ("exists" is fine): ignore those adds.
	got = slices.DeleteFunc(got, func(s string) bool {
		return s == "add ens160 10.9.9.1/24" || s == "rule+ 16384 from 10.40.0.0/16 table 100"
	})
	if !slices.Equal(got, want) {
		t.Fatalf("reload\n got %q\nwant %q", got, want)
	}
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Errorf("state %s after reload", h.state("lb_ha"))
	}

	// use_vmac dropped on reload: the instance restarts on ens160 and its
	// macvlan is deleted.
	h.r.reload(vmacConfig(t, strings.Replace(next, "    use_vmac\n", "", 1)), h.clock)
	if ops := opsWith(h.f.take(), "vmac"); !slices.Equal(ops, []string{"vmac- vrrp.51"}) {
		t.Errorf("vmac ops after dropping use_vmac: %q", ops)
	}
}

// TestDataDumpVMACRoutes: the SIGUSR1 dump has keepalived 2.2.7's lines
// for the VMAC, the static set and the virtual routes and rules (copied
// from the real dump of the same configuration in a namespace).
func TestDataDumpVMACRoutes(t *testing.T) {
	conf := strings.Replace(vmacRoutesConf, "        unreachable 10.60.0.0/16\n",
		"        unreachable 10.60.0.0/16\n        src 192.168.110.100 10.70.0.0/16 dev ens160\n", 1)
	conf = strings.Replace(conf, "   10.21.0.0/16 dev ens160 nexthop via 192.168.110.1\n", "   blackhole 10.30.0.0/16\n", 1)
	h := newHarness(t, vmacConfig(t, conf))
	h.advance(4 * time.Second)
	d := h.r.data()
	for _, w := range []string{
		"------< Static Addresses >------\n     10.9.9.1/24 dev ens160 scope global set\n",
		"------< Static Routes >------\n     prepend 10.20.0.0/16 via inet 192.168.110.254 dev ens160 proto 18\n     add blackhole 10.30.0.0/16 proto 18 no_track\n",
		"------< Static Rules >------\n     from 10.40.0.0/16 priority 16384 tos 0x0 protocol 18 lookup 100\n",
		"   Use VMAC, i/f name vrrp.51, is_up = true, xmit_base = false\n   Interface = vrrp.51, vmac on ens160\n",
		"     192.168.110.100/24 dev vrrp.51@ens160 scope global",
		"   Virtual Routes :\n     prepend 10.50.0.0/16 via inet 192.168.110.254 dev ens160 table 200 proto 18 metric 5\n" +
			"     add unreachable 10.60.0.0/16 proto 18 no_track\n     prepend 10.70.0.0/16 src 192.168.110.100 dev ens160 proto 18\n",
		"   Virtual Rules :\n     from 10.80.0.0/16 priority 200 tos 0x0 protocol 18 lookup 200\n",
	} {
		if !strings.Contains(d, w) {
			t.Errorf("dump lacks\n%s\n---\n%s", w, d)
		}
	}
}

// TestRouteInterfaceTracked: a virtual route's dev is tracked like a
// track_interface of weight 0, unless no_track (keepalived 2.2.7: FAULT
// while ens161 is down, back to BACKUP then MASTER after).
func TestRouteInterfaceTracked(t *testing.T) {
	conf := strings.Replace(vmacRoutesConf, "        unreachable 10.60.0.0/16\n",
		"        10.99.0.0/16 via 10.98.0.254 dev ens161\n        10.97.0.0/16 dev lo no_track\n", 1)
	c := vmacConfig(t, conf)
	if got := c.Instances[0].TrackInterfaces; len(got) != 1 || got[0] != (Tracker{Name: "ens161"}) {
		t.Fatalf("trackers %+v, want ens161 with weight 0 only", got)
	}
	h := newHarness(t, c)
	h.advance(4 * time.Second)
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Fatal("not MASTER")
	}
	h.f.take()
	h.r.link(LinkEvent{Name: "ens161", Up: false}, h.clock)
	if h.state("lb_ha") != vrrp.StateFault {
		t.Fatalf("state %s with the route's interface down", h.state("lb_ha"))
	}
	if ops := opsWith(h.f.take(), "route-"); len(ops) != 3 {
		t.Errorf("routes removed on FAULT: %q", ops)
	}
	h.r.link(LinkEvent{Name: "ens161", Up: true}, h.clock)
	if h.state("lb_ha") != vrrp.StateBackup {
		t.Errorf("state %s after the interface came back", h.state("lb_ha"))
	}
}
