package daemon_test

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/vishvananda/netlink"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// vmacExtra is what TestVMACRoutesPair adds to each seed config: a VMAC,
// virtual routes and rules (MASTER only) and a static set (always).
const (
	vmacInstanceExtra = `    use_vmac
    virtual_routes {
        10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5
        unreachable 10.60.0.0/16
    }
    virtual_rules {
        from 10.80.0.0/16 table 200 priority 200
    }
`
	vmacStatic = `static_ipaddress {
    10.9.9.STATIC/24 dev ens160
}
static_routes {
    10.20.0.0/16 via 192.168.110.254 dev ens160
}
static_rules {
    from 10.40.0.0/16 table 100 priority 100
}
`
)

var vmacMAC = net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, 0x01, 51}

// vmacRouter is one router of the pair (gokeepalived or keepalived).
type vmacRouter struct {
	t      *testing.T
	name   string
	h      *lab.Host
	conf   string
	dir    string
	static string // its static address
	proc   *lab.Proc
}

func (r *vmacRouter) start(argv0 string, real bool) {
	r.t.Helper()
	pid, vpid := filepath.Join(r.dir, r.name+".pid"), filepath.Join(r.dir, r.name+"_vrrp.pid")
	argv := []string{argv0, "-n", "-l", "-D", "-G", "-f", r.conf, "-p", pid, "-r", vpid}
	if real {
		argv = []string{"keepalived", "-n", "-l", "-D", "-G", "-P", "-f", r.conf, "-p", pid, "-r", vpid}
	}
	p, err := r.h.Start(argv...)
	if err != nil {
		r.t.Fatal(err)
	}
	r.proc = p
	r.t.Cleanup(func() {
		p.Signal(syscall.SIGTERM)
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			p.Kill()
		}
	})
}

func (r *vmacRouter) stop() int {
	r.t.Helper()
	r.proc.Signal(syscall.SIGTERM)
	select {
	case <-r.proc.Done():
	case <-time.After(6 * time.Second):
		r.t.Fatalf("%s did not stop:\n%s", r.name, r.proc.Stderr())
	}
	st, _ := r.proc.Wait()
	return st.ExitCode()
}

// hasVIP says whether the VIP sits on the VMAC (and never on ens160).
func (r *vmacRouter) hasVIP() bool {
	if ok, _ := r.h.HasAddr(lab.HostIfName, seedVIP); ok {
		r.t.Errorf("%s: VIP on %s instead of the VMAC", r.name, lab.HostIfName)
	}
	ok, err := r.h.HasAddr("vrrp.51", seedVIP)
	return err == nil && ok
}

// ip runs an ip(8) query in the router's namespace.
func (r *vmacRouter) ip(args ...string) string {
	r.t.Helper()
	out, err := r.h.Run(context.Background(), append([]string{"ip"}, args...)...)
	if err != nil {
		r.t.Fatalf("%s: ip %v: %v %s", r.name, args, err, out)
	}
	return out
}

// Lines keepalived 2.2.7 leaves in `ip route show table all` / `ip rule`
// for the configuration above (seen in a namespace).
var (
	virtualLines = []string{
		"10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 proto keepalived metric 5",
		"unreachable 10.60.0.0/16 proto keepalived",
		"200:\tfrom 10.80.0.0/16 lookup 200 proto keepalived",
	}
	staticLines = []string{
		"10.20.0.0/16 via 192.168.110.254 dev ens160 proto keepalived",
		"100:\tfrom 10.40.0.0/16 lookup 100 proto keepalived",
	}
)

// routing returns the router's routes and rules as one text.
func (r *vmacRouter) routing() string {
	return r.ip("route", "show", "table", "all") + r.ip("rule", "show")
}

// checkHost asserts the VMAC and the static set are present (or all
// gone) and the virtual routes and rules present only while master.
func (r *vmacRouter) checkHost(what string, running, master bool) {
	r.t.Helper()
	link, err := r.h.Handle().LinkByName("vrrp.51")
	switch {
	case running && err != nil:
		r.t.Errorf("%s: %s has no vrrp.51: %v", what, r.name, err)
	case running:
		mv, ok := link.(*netlink.Macvlan)
		if !ok || mv.Mode != netlink.MACVLAN_MODE_PRIVATE || !bytes.Equal(link.Attrs().HardwareAddr, vmacMAC) {
			r.t.Errorf("%s: %s vrrp.51 is %T mode %v MAC %s", what, r.name, link, mv.Mode, link.Attrs().HardwareAddr)
		}
	case err == nil:
		r.t.Errorf("%s: %s still has vrrp.51", what, r.name)
	}
	nft, _ := r.h.Run(context.Background(), "nft", "list", "ruleset")
	// keepalived's VMAC rule: IGMP reports leave from the parent.
	const igmp = `ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop`
	if strings.Contains(nft, igmp) != running {
		r.t.Errorf("%s: %s: VMAC nftables rule present=%v, want %v:\n%s", what, r.name, !running, running, nft)
	}
	if master && !strings.Contains(nft, "ip saddr @vips drop") {
		r.t.Errorf("%s: %s: the master's no-accept rules are missing next to the VMAC rule:\n%s", what, r.name, nft)
	}
	if !running && strings.TrimSpace(nft) != "" {
		r.t.Errorf("%s: %s: nftables ruleset left after the stop:\n%s", what, r.name, nft)
	}
	text := r.routing()
	for _, l := range staticLines {
		if strings.Contains(text, l) != running {
			r.t.Errorf("%s: %s: static %q present=%v, want %v", what, r.name, l, !running, running)
		}
	}
	if ok, _ := r.h.HasAddr(lab.HostIfName, netip.MustParseAddr(r.static)); ok != running {
		r.t.Errorf("%s: %s: static address %s present=%v, want %v", what, r.name, r.static, ok, running)
	}
	for _, l := range virtualLines {
		if strings.Contains(text, l) != master {
			r.t.Errorf("%s: %s: virtual %q present=%v, want %v\n%s", what, r.name, l, !master, master, text)
		}
	}
}

func waitVMACVIP(t *testing.T, on, off *vmacRouter, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if on.hasVIP() && !off.hasVIP() {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("VIP not on %s's vrrp.51 only after %s\n--- %s:\n%s\n--- %s:\n%s", on.name, limit, on.name, on.proc.Stderr()+on.proc.Stdout(), off.name, off.proc.Stderr()+off.proc.Stdout())
	return 0
}

// waitRouting polls (bounded) until the virtual routes are on `master`'s
// host only: they follow the VIP right after it. otherRunning says whether
// the other router's daemon runs (else its host must be clean).
func waitRouting(t *testing.T, what string, master, other *vmacRouter, otherRunning bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(master.routing(), virtualLines[2]) && !strings.Contains(other.routing(), virtualLines[2]) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	master.checkHost(what, true, true)
	other.checkHost(what, otherRunning, false)
}

// TestVMACRoutesPair runs the seed pair with use_vmac, virtual routes and
// rules and a static set added to both configs: the VIP lives on the
// macvlan vrrp.51 (virtual MAC, mode private), adverts and GARPs leave
// with the virtual MAC, the virtual routes and rules follow the master,
// the static set is on both, and a clean stop removes all of it. Then the
// real keepalived 2.2.7 takes lb1's place with the same file: it preempts
// gokeepalived and hands back on SIGTERM.
func TestVMACRoutesPair(t *testing.T) {
	l := lab.NewForTest(t, "kavmac")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	var rs [2]*vmacRouter
	for i, spec := range []struct{ name, cidr, conf, static string }{
		{"lb1", "192.168.110.11/24", "keepalived-lb1.conf", "10.9.9.1"},
		{"lb2", "192.168.110.22/24", "keepalived-lb2.conf", "10.9.9.2"},
	} {
		h, err := l.AddHost(spec.name, spec.cidr)
		if err != nil {
			lab.Unavailable(t, err.Error())
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", spec.conf))
		if err != nil {
			t.Fatal(err)
		}
		conf := strings.Replace(string(b), "    interface ens160\n", "    interface ens160\n"+vmacInstanceExtra, 1)
		conf += strings.Replace(vmacStatic, "10.9.9.STATIC", spec.static, 1)
		p := filepath.Join(dir, spec.name+".conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		rs[i] = &vmacRouter{t: t, name: spec.name, h: h, conf: p, dir: dir, static: spec.static}
	}
	lb1, lb2 := rs[0], rs[1]
	_, mac1, err := lb1.h.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	capt, err := l.Capture(ctx, "arp or igmp or ip proto 112")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	t.Cleanup(func() { capt.Stop() })
	time.Sleep(time.Second) // bridge ports come up asynchronously

	// Both start; lb1 (priority 100) becomes MASTER after 3.6 s.
	lb2.start(bin, false)
	lb1.start(bin, false)
	t1 := time.Now()
	waitVMACVIP(t, lb1, lb2, 10*time.Second)
	waitRouting(t, "lb1 master", lb1, lb2, true)
	for _, w := range []string{"(lb_ha): Success creating VMAC interface vrrp.51", "(lb_ha) setting Virtual Routes",
		"(lb_ha) setting Virtual Rules", "(lb_ha) Sending/queueing gratuitous ARPs on vrrp.51 for 192.168.110.100"} {
		if !strings.Contains(lb1.proc.Stderr(), w) {
			t.Errorf("lb1 log lacks %q", w)
		}
	}

	// SIGTERM lb1: lb2 takes the VIP and the virtual routes; lb1 leaves
	// nothing behind (VMAC, routes, rules, static address).
	t2 := time.Now()
	if rc := lb1.stop(); rc != 0 {
		t.Errorf("lb1 exit status %d", rc)
	}
	waitVMACVIP(t, lb2, lb1, 3*time.Second)
	waitRouting(t, "lb1 stopped", lb2, lb1, false)
	if !strings.Contains(lb1.proc.Stderr(), "(lb_ha): Success removing VMAC interface vrrp.51") {
		t.Errorf("lb1 log lacks the VMAC removal:\n%s", lb1.proc.Stderr())
	}

	// Mixed pair: the real keepalived with the same file on lb1 preempts
	// gokeepalived's VMAC master, then hands back on SIGTERM.
	var t3, t4 time.Time
	if _, ok := testenv.Optional(t, "keepalived"); ok { // the mixed pair part
		t3 = time.Now()
		lb1.start("", true)
		waitVMACVIP(t, lb1, lb2, 10*time.Second)
		waitRouting(t, "keepalived lb1 master", lb1, lb2, true)
		t4 = time.Now()
		lb1.stop()
		waitVMACVIP(t, lb2, lb1, 3*time.Second)
		waitRouting(t, "keepalived lb1 stopped", lb2, lb1, false)
	}
	tEnd := time.Now()
	if rc := lb2.stop(); rc != 0 {
		t.Errorf("lb2 exit status %d", rc)
	}
	lb2.checkHost("lb2 stopped", false, false)

	// On the wire: adverts only from the virtual MAC (never lb1's own),
	// with each master's own address, and a GARP with the virtual MAC
	// after each takeover.
	time.Sleep(300 * time.Millisecond)
	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	type window struct {
		what     string
		from, to time.Time
		src      netip.Addr
	}
	windows := []window{{"gokeepalived lb1 master", t1, t2, netip.MustParseAddr("192.168.110.11")},
		{"gokeepalived lb2 master", t2, time.Now(), netip.MustParseAddr("192.168.110.22")}}
	if !t3.IsZero() {
		windows[1].to = t3
		windows = append(windows, window{"keepalived lb1 master", t3, t4, netip.MustParseAddr("192.168.110.11")},
			window{"gokeepalived lb2 master again", t4, time.Now(), netip.MustParseAddr("192.168.110.22")})
	}
	// No IGMP report with the virtual MAC, the backup's included: the VMAC
	// rules send them from the parent. Only the IGMPv3 leave a stopping
	// daemon's closed socket triggers (sent on a timer, after the rules
	// are gone) may carry it, for keepalived 2.2.7 as well (seen here).
	stops := []time.Time{t2, t4, tEnd}
	for _, p := range pkts {
		eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil || p.Layer(layers.LayerTypeIGMP) == nil || !bytes.Equal(eth.SrcMAC, vmacMAC) {
			continue
		}
		ts := p.Metadata().Timestamp
		leave := false
		for _, s := range stops {
			if !s.IsZero() && !ts.Before(s) && ts.Sub(s) < 2*time.Second {
				leave = true
			}
		}
		if !leave {
			t.Errorf("an IGMP report left with the virtual MAC at %s, not right after a stop", ts.Format("15:04:05.000"))
		}
	}
	for _, w := range windows {
		adverts, garps := 0, 0
		for _, p := range pkts {
			ts := p.Metadata().Timestamp
			if ts.Before(w.from) || ts.After(w.to) {
				continue
			}
			eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
			if eth == nil {
				continue
			}
			if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok && ip.Protocol == 112 {
				if bytes.Equal(eth.SrcMAC, mac1) {
					t.Errorf("%s: an advert left with lb1's own MAC", w.what)
				}
				if bytes.Equal(eth.SrcMAC, vmacMAC) && ip.SrcIP.Equal(w.src.AsSlice()) {
					adverts++
				}
			}
			if arp, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok && bytes.Equal(arp.SourceProtAddress, seedVIP.AsSlice()) &&
				bytes.Equal(arp.SourceHwAddress, vmacMAC) && bytes.Equal(eth.SrcMAC, vmacMAC) {
				garps++
			}
		}
		if adverts == 0 || garps == 0 {
			t.Errorf("%s: %d adverts from %s with the virtual MAC and %d GARPs with it, want some of each", w.what, adverts, w.src, garps)
		}
	}
	if t.Failed() {
		t.Logf("--- lb1:\n%s%s\n--- lb2:\n%s", lb1.proc.Stdout(), lb1.proc.Stderr(), lb2.proc.Stderr())
	}
}
