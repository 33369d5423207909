package daemon

import (
	"context"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// harness drives a Runner synchronously with a fake clock and edge.
type harness struct {
	t     *testing.T
	r     *Runner
	f     *fakeEdge
	clock time.Duration
	clk   *fakeClock // follows clock (advance)
	logs  []string
}

func newHarness(t *testing.T, cfg *Config) *harness { return newHarnessDetail(t, cfg, true) }

func newHarnessDetail(t *testing.T, cfg *Config, detail bool) *harness {
	h := &harness{t: t, f: newFakeEdge(), clk: newFakeClock()}
	h.r = New(cfg, Options{Edge: h.f, Log: func(s string) { h.logs = append(h.logs, s) }, Clock: h.clk, Detail: detail})
	ctx, cancel := context.WithCancel(context.Background())
	h.r.bgCancel = cancel
	if err := h.r.setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if h.r.conns != nil {
			h.r.closeAll()
		}
	})
	h.r.startAll(0)
	return h
}

// advance moves the clock to t, firing every deadline on the way.
func (h *harness) advance(to time.Duration) {
	for {
		d, ok := h.r.nextDeadline()
		if !ok || d > to {
			break
		}
		h.clock = max(h.clock, d)
		h.clk.set(h.clock)
		h.r.fireDue(h.clock)
	}
	h.clock = to
	h.clk.set(h.clock)
}

func (h *harness) takeLogs() []string { l := h.logs; h.logs = nil; return l }

func (h *harness) state(name string) vrrp.State { return h.r.byName[name].m.State() }

func seedConfig(t *testing.T, file, src string) *Config {
	t.Helper()
	c, errs := MapConfig(lintFile(t, seedPath(file), nil), fakePrimary(map[string]string{"ens160": src}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

func containsAll(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: missing %q in\n%s", what, w, strings.Join(got, "\n"))
		}
	}
}

// advertHex is keepalived 2.2.7's captured advert for the seed (README):
// v2, VRID 51, given priority, one address, no auth (strict), 1 s.
func advertHex(t *testing.T, prio uint8) string {
	a := vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: prio, AdverInt: 1,
		Addrs: []netip.Addr{netip.MustParseAddr("192.168.110.100")}}
	b, err := a.Marshal(netip.MustParseAddr("192.168.110.11"), vrrp.MulticastGroup4)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestSeedMasterLifecycle(t *testing.T) {
	h := newHarness(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"))
	if got := advertHex(t, 100); got != "2133640100014bbdc0a86e640000000000000000" {
		t.Fatalf("seed advert %s differs from keepalived's capture", got)
	}
	if h.state("lb_ha") != vrrp.StateBackup {
		t.Fatalf("start state %s", h.state("lb_ha"))
	}
	containsAll(t, "start logs", h.takeLogs(),
		"use_vmac or no_accept/strict specified, but no firewall configured - using nftables",
		"(lb_ha) Entering BACKUP STATE (init)")
	// Leftover VIPs are cleared at start; no advert yet.
	if ops := h.f.take(); !slices.Equal(ops, []string{"del ens160 192.168.110.100/24", "spawn"}) && slices.ContainsFunc(ops, func(s string) bool { return strings.HasPrefix(s, "send") }) {
		t.Fatalf("start ops %q", ops)
	}

	// Master down interval for priority 100: 3 s + (256-100)/256 s.
	h.advance(3609 * time.Millisecond)
	if h.state("lb_ha") != vrrp.StateBackup {
		t.Fatal("MASTER before the master down interval")
	}
	h.advance(3610 * time.Millisecond)
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Fatalf("state %s after master down", h.state("lb_ha"))
	}
	want := []string{
		"send ens160 224.0.0.18 " + advertHex(t, 100),
		"fw open keepalived -1",
		"fw+ [192.168.110.100]",
		"add ens160 192.168.110.100/24",
		// vrrp_garp_interval 100: one GARP now, four queued 100 s apart.
		"garp ens160 192.168.110.100",
	}
	if ops := h.f.take(); !slices.Equal(ops, want) {
		t.Fatalf("master entry ops\n got %q\nwant %q", ops, want)
	}
	containsAll(t, "master logs", h.takeLogs(), "(lb_ha) Receive advertisement timeout", "(lb_ha) Entering MASTER STATE",
		"(lb_ha) setting firewall drop rule", "(lb_ha) setting VIPs.",
		"(lb_ha) Sending/queueing gratuitous ARPs on ens160 for 192.168.110.100")

	// Adverts every second; the queued GARPs wait for the interval.
	h.advance(3610*time.Millisecond + 3*time.Second)
	ops := h.f.take()
	if n := countPrefix(ops, "send "); n != 3 || countPrefix(ops, "garp ") != 0 {
		t.Fatalf("3 s of MASTER: %q", ops)
	}
	h.advance(3610*time.Millisecond + 100*time.Second)
	if n := countPrefix(h.f.take(), "garp "); n != 1 {
		t.Fatalf("second GARP after 100 s: %d", n)
	}

	// A higher priority master appears: back to BACKUP, VIP and rule go,
	// the GARPs still queued are forgotten.
	hi := mustAdvert(t, 200, "192.168.110.22")
	h.r.handle(rxEvent{cs: h.r.byName["lb_ha"].conn, payload: hi, meta: RxMeta{Src: netip.MustParseAddr("192.168.110.22"), Dst: vrrp.MulticastGroup4, TTL: 255}}, h.clock)
	if h.state("lb_ha") != vrrp.StateBackup {
		t.Fatalf("state %s after higher advert", h.state("lb_ha"))
	}
	containsAll(t, "demotion ops", h.f.take(), "del ens160 192.168.110.100/24", "fw- [192.168.110.100]")
	if p := h.r.byName["lb_ha"].garpPending; len(p) != 0 {
		t.Fatalf("GARPs still pending after losing MASTER: %v", p)
	}

	// TTL 64 multicast advert: dropped and counted, state unchanged.
	h.r.handle(rxEvent{cs: h.r.byName["lb_ha"].conn, payload: hi, meta: RxMeta{Src: netip.MustParseAddr("192.168.110.22"), Dst: vrrp.MulticastGroup4, TTL: 64}}, h.clock)
	// An advert for a VRID nobody runs is counted on the socket.
	other := mustAdvert(t, 200, "192.168.110.22")
	other[1] = 52
	h.r.handle(rxEvent{cs: h.r.byName["lb_ha"].conn, payload: other, meta: RxMeta{TTL: 255}}, h.clock)
	st := h.r.status()[0]
	if st.Counters[vrrp.DropTTL] != 1 || h.r.byName["lb_ha"].conn.unknown != 1 {
		t.Errorf("counters %v unknown %d", st.Counters, h.r.byName["lb_ha"].conn.unknown)
	}
	stats := h.r.stats()
	for _, w := range []string{"VRRP Instance: lb_ha", "    TTL: 1", "  Became master: 1", "  Released master: 1", "    ip_ttl_err: 1", "  Unknown VRID on socket: 1"} {
		if !strings.Contains(stats, w+"\n") {
			t.Errorf("stats lack %q:\n%s", w, stats)
		}
	}
	if d := h.r.data(); !strings.Contains(d, "   State = BACKUP\n") || !strings.Contains(d, "     192.168.110.100/24 dev ens160 scope global\n") {
		t.Errorf("data dump:\n%s", d)
	}
}

func mustAdvert(t *testing.T, prio uint8, src string) []byte {
	a := vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: prio, AdverInt: 1,
		Addrs: []netip.Addr{netip.MustParseAddr("192.168.110.100")}}
	b, err := a.Marshal(netip.MustParseAddr(src), vrrp.MulticastGroup4)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func countPrefix(ops []string, p string) int {
	n := 0
	for _, o := range ops {
		if strings.HasPrefix(o, p) {
			n++
		}
	}
	return n
}

func TestStopSendsPriorityZeroAndCleans(t *testing.T) {
	h := newHarness(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"))
	h.advance(4 * time.Second)
	h.f.take()
	h.r.stop(h.clock)
	want := []string{
		"send ens160 224.0.0.18 " + advertHex(t, 0),
		"del ens160 192.168.110.100/24",
		"fw- [192.168.110.100]",
		"fw close",
	}
	if ops := h.f.take(); !slices.Equal(ops, want) {
		t.Fatalf("stop ops\n got %q\nwant %q", ops, want)
	}
	containsAll(t, "stop logs", h.takeLogs(), "(lb_ha) sent 0 priority", "(lb_ha) removing VIPs.", "Stopped")
}

func TestLinkDownFaultAndBack(t *testing.T) {
	h := newHarness(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"))
	h.advance(4 * time.Second)
	h.f.take()
	h.r.handle(LinkEvent{Name: "ens160", Up: false}, h.clock)
	if h.state("lb_ha") != vrrp.StateFault {
		t.Fatalf("state %s after link down", h.state("lb_ha"))
	}
	containsAll(t, "fault ops", h.f.take(), "send ens160 224.0.0.18 "+advertHex(t, 0), "del ens160 192.168.110.100/24")
	containsAll(t, "fault logs", h.takeLogs(), "Netlink reports ens160 down", "(lb_ha) Entering FAULT STATE")
	h.advance(h.clock + 10*time.Second)
	if ops := h.f.take(); countPrefix(ops, "send") != 0 {
		t.Fatalf("adverts in FAULT: %q", ops)
	}
	h.r.handle(LinkEvent{Name: "ens160", Up: true}, h.clock)
	if h.state("lb_ha") != vrrp.StateBackup {
		t.Fatalf("state %s after link up", h.state("lb_ha"))
	}
	h.advance(h.clock + 4*time.Second)
	if h.state("lb_ha") != vrrp.StateMaster {
		t.Fatalf("state %s 4 s after link up", h.state("lb_ha"))
	}
}

const trackConf = `
global_defs { vrrp_notify_fifo /run/ka.fifo }
vrrp_script chk { script "/bin/true"
 weight -60
 fall 2
 rise 2 }
vrrp_script must { script "/bin/true" }
vrrp_instance A { interface ens160
 virtual_router_id 51
 priority 100
 track_script { chk
  must }
 notify_master "/usr/bin/m arg"
 notify "/usr/bin/n"
 virtual_ipaddress { 192.168.110.100/24 } }
`

func configFrom(t *testing.T, conf string) *Config {
	t.Helper()
	p := t.TempDir() + "/k.conf"
	if err := writeFile(p, conf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "192.168.110.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

func TestTrackScriptsAndNotify(t *testing.T) {
	h := newHarness(t, configFrom(t, trackConf))
	// The instance waits in INIT for the first result of every script.
	if h.state("A") != vrrp.StateInit {
		t.Fatalf("state %s before the scripts reported", h.state("A"))
	}
	h.r.handle(scriptEvent{name: "chk", rc: 0}, h.clock)
	if h.state("A") != vrrp.StateInit {
		t.Fatalf("state %s before must reported", h.state("A"))
	}
	h.r.handle(scriptEvent{name: "must", rc: 0}, h.clock)
	if h.state("A") != vrrp.StateBackup {
		t.Fatalf("state %s after the scripts reported", h.state("A"))
	}
	containsAll(t, "script start logs", h.takeLogs(), "VRRP_Script(chk) succeeded", "VRRP_Script(must) succeeded", "(A) Entering BACKUP STATE")
	containsAll(t, "start notify", h.f.take(), "spawn /usr/bin/n INSTANCE A BACKUP 100", `fifo /run/ka.fifo INSTANCE "A" BACKUP 100`)
	h.advance(4 * time.Second)
	containsAll(t, "master notify", h.f.take(), "spawn /usr/bin/m arg", "spawn /usr/bin/n INSTANCE A MASTER 100",
		`fifo /run/ka.fifo INSTANCE "A" MASTER 100`)

	// One failure of chk (fall 2) changes nothing; the second lowers the priority by 60.
	h.r.handle(scriptEvent{name: "chk", rc: 1}, h.clock)
	if p := h.r.byName["A"].m.Priority(); p != 100 {
		t.Fatalf("priority %d after one failure", p)
	}
	h.r.handle(scriptEvent{name: "chk", rc: 1}, h.clock)
	if p := h.r.byName["A"].m.Priority(); p != 40 {
		t.Fatalf("priority %d after two failures", p)
	}
	containsAll(t, "script logs", h.takeLogs(), "Script `chk` now returning 1", "VRRP_Script(chk) failed (exited with status 1)",
		"(A) Changing effective priority from 100 to 40")
	h.r.handle(scriptEvent{name: "chk", rc: 0}, h.clock)
	containsAll(t, "first success logs", h.takeLogs(), "Script `chk` now returning 0")
	// Two successes (rise 2) restore it.
	h.r.handle(scriptEvent{name: "chk", rc: 0}, h.clock)
	if p := h.r.byName["A"].m.Priority(); p != 100 {
		t.Fatalf("priority %d after recovery", p)
	}
	// A weight-0 script failing (fall 1) is FAULT.
	h.r.handle(scriptEvent{name: "must", rc: 2}, h.clock)
	if s := h.state("A"); s != vrrp.StateFault {
		t.Fatalf("state %s after unweighted failure", s)
	}
	containsAll(t, "fault notify", h.f.take(), "spawn /usr/bin/n INSTANCE A FAULT 100")
	h.r.handle(scriptEvent{name: "must", rc: 0}, h.clock)
	if s := h.state("A"); s != vrrp.StateBackup {
		t.Fatalf("state %s after recovery", s)
	}
}

func TestReloadKeepsMasterWithoutFlap(t *testing.T) {
	cfg := seedConfig(t, "keepalived-lb1.conf", "192.168.110.11")
	h := newHarness(t, cfg)
	h.advance(4 * time.Second)
	h.f.take()
	// Same instance, priority changed, one VIP added; plus a new instance.
	next := seedConfig(t, "keepalived-lb1.conf", "192.168.110.11")
	next.Instances[0].Priority = 110
	extra := netip.MustParseAddr("192.168.110.101")
	next.Instances[0].VIPs = append(next.Instances[0].VIPs, extra)
	next.Instances[0].Addrs[extra] = VIP{Prefix: netip.MustParsePrefix("192.168.110.101/24")}
	b := next.Instances[0]
	b.Name, b.VRID, b.Priority = "lb_b", 52, 90
	b.VIPs = []netip.Addr{netip.MustParseAddr("192.168.110.200")}
	b.Addrs = map[netip.Addr]VIP{}
	next.Instances = append(next.Instances, b)
	h.r.reload(next, h.clock)
	ops := h.f.take()
	if slices.Contains(ops, "del ens160 192.168.110.100/24") || slices.Contains(ops, "send ens160 224.0.0.18 "+advertHex(t, 0)) {
		t.Fatalf("reload flapped the VIP: %q", ops)
	}
	containsAll(t, "reload ops", ops, "add ens160 192.168.110.101/24", "fw+ [192.168.110.101]")
	if h.state("lb_ha") != vrrp.StateMaster || h.r.byName["lb_ha"].m.Priority() != 110 {
		t.Fatalf("after reload: %s prio %d", h.state("lb_ha"), h.r.byName["lb_ha"].m.Priority())
	}
	if h.state("lb_b") != vrrp.StateBackup || len(h.f.conns) != 1 {
		t.Fatalf("new instance %s, %d sockets (shared expected)", h.state("lb_b"), len(h.f.conns))
	}
	// Reload without lb_b: it stops; lb_ha stays.
	h.r.reload(seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"), h.clock)
	if _, ok := h.r.byName["lb_b"]; ok || h.state("lb_ha") != vrrp.StateMaster {
		t.Fatal("lb_b not removed or lb_ha lost MASTER")
	}
}

const syncConf = `
vrrp_sync_group G { group { A B }
 notify "/usr/bin/g" }
vrrp_instance A { interface ens160
 virtual_router_id 1
 priority 100
 virtual_ipaddress { 10.0.0.1/24 } }
vrrp_instance B { interface ens161
 virtual_router_id 2
 priority 100
 virtual_ipaddress { 10.0.0.2/24 } }
`

func TestSyncGroupFollowsFault(t *testing.T) {
	p := t.TempDir() + "/k.conf"
	if err := writeFile(p, syncConf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.0.0.11", "ens161": "10.0.1.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h := newHarness(t, c)
	h.advance(4 * time.Second)
	if h.state("A") != vrrp.StateMaster || h.state("B") != vrrp.StateMaster {
		t.Fatalf("states %s %s", h.state("A"), h.state("B"))
	}
	containsAll(t, "group notify", h.f.take(), "spawn /usr/bin/g GROUP G MASTER 0")
	h.r.handle(LinkEvent{Name: "ens161", Up: false}, h.clock)
	if h.state("A") != vrrp.StateFault || h.state("B") != vrrp.StateFault {
		t.Fatalf("states after B's link down %s %s", h.state("A"), h.state("B"))
	}
	containsAll(t, "group logs", h.takeLogs(), "VRRP_Group(G) Syncing instances to FAULT state")
	containsAll(t, "group fault", h.f.take(), "del ens160 10.0.0.1/24", "del ens161 10.0.0.2/24", "spawn /usr/bin/g GROUP G FAULT 0")
}

// TestLogLevels: without -D only the lines keepalived prints by default
// (observed from keepalived 2.2.7 on the same scenario) are logged.
func TestLogLevels(t *testing.T) {
	h := newHarnessDetail(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"), false)
	h.advance(4 * time.Second)
	h.r.handle(LinkEvent{Name: "ens160", Up: false}, h.clock)
	h.r.handle(LinkEvent{Name: "ens160", Up: true}, h.clock)
	h.r.stop(h.clock)
	want := []string{
		"use_vmac or no_accept/strict specified, but no firewall configured - using nftables",
		"(lb_ha) Entering BACKUP STATE (init)",
		"(lb_ha) Entering MASTER STATE",
		"Netlink reports ens160 down",
		"(lb_ha) Entering FAULT STATE",
		"Netlink reports ens160 up",
		"(lb_ha) Entering BACKUP STATE",
		"Stopping",
		"Stopped",
	}
	if got := h.takeLogs(); !slices.Equal(got, want) {
		t.Errorf("default log\n got %q\nwant %q", got, want)
	}
}

// TestReloadStartsInstanceNoLongerWaiting: an instance waiting for a
// script's first result starts when a reload drops that script.
func TestReloadStartsInstanceNoLongerWaiting(t *testing.T) {
	h := newHarness(t, configFrom(t, trackConf))
	if h.state("A") != vrrp.StateInit {
		t.Fatalf("state %s before the scripts reported", h.state("A"))
	}
	next := configFrom(t, strings.Replace(trackConf, " track_script { chk\n  must }\n", "", 1))
	if len(next.Instances[0].TrackScripts) != 0 {
		t.Fatalf("test config still tracks %v", next.Instances[0].TrackScripts)
	}
	h.r.reload(next, h.clock)
	if h.state("A") != vrrp.StateBackup {
		t.Fatalf("state %s after reload", h.state("A"))
	}
	h.advance(h.clock + 4*time.Second)
	if h.state("A") != vrrp.StateMaster {
		t.Fatalf("state %s 4 s after reload", h.state("A"))
	}
}

// TestRunLoopAndControlAfterExit runs the real loop with the fake edge:
// Status works while running, Run returns after cancel (the BACKUP start
// cleared leftover VIPs), and control calls after that return instead of
// hanging.
func TestRunLoopAndControlAfterExit(t *testing.T) {
	f := newFakeEdge()
	r := New(seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"), Options{Edge: f})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if st := r.Status(); len(st) != 1 || st[0].State != vrrp.StateBackup {
		t.Fatalf("status %+v", st)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if ops := f.take(); !slices.Contains(ops, "del ens160 192.168.110.100/24") {
		t.Errorf("ops %q", ops)
	}
	fin := make(chan struct{})
	go func() { r.Status(); r.Stats(); r.Reload(r.cfg); close(fin) }()
	select {
	case <-fin:
	case <-time.After(2 * time.Second):
		t.Fatal("control call after Run returned hangs")
	}
}
