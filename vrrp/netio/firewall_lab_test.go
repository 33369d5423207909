package netio

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// nftList is `nft list table FAMILY keepalived` inside h.
func nftList(t *testing.T, h *lab.Host, family string) (string, error) {
	t.Helper()
	return h.Run(context.Background(), "nft", "list", "table", family, "keepalived")
}

// dial tries one TCP connection from h to addr:port, bounded to 500 ms
// (a dropped SYN shows as a timeout).
func dial(h *lab.Host, addr netip.Addr, port int) error {
	return h.Do(func() error {
		c, err := net.DialTimeout("tcp", netip.AddrPortFrom(addr, uint16(port)).String(), 500*time.Millisecond)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// reachable retries dial for up to 3 s: a first SYN can be lost while the
// kernel is still joining a new address's solicited-node group, and the
// retransmission comes only after a second.
func reachable(h *lab.Host, addr netip.Addr, port int) error {
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := dial(h, addr, port)
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

func TestFirewallInNamespace(t *testing.T) {
	_, a, b := twoHosts(t, "niofw")
	idx, _, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	var fw *Firewall
	var ad *Addrs
	var ln net.Listener
	in(t, a, func() (err error) {
		if fw, err = NewFirewall(FirewallConfig{}); err != nil {
			return err
		}
		if ad, err = NewAddrs(idx); err != nil {
			return err
		}
		ln, err = net.Listen("tcp", "0.0.0.0:8080")
		return err
	})
	defer ad.Close()
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if _, err := ad.Add(VIP{Prefix: netip.PrefixFrom(seedVIP, 24)}); err != nil {
		t.Fatal(err)
	}
	if err := reachable(b, seedVIP, 8080); err != nil {
		t.Fatalf("before the firewall the VIP should answer: %v", err)
	}

	// A stale table of the same name, as a SIGKILLed keepalived leaves.
	if _, err := a.Run(context.Background(), "nft", "add table ip keepalived; add chain ip keepalived stale"); err != nil {
		t.Fatal(err)
	}
	if added, err := fw.Add(seedVIP); err != nil || !slices.Equal(added, []netip.Addr{seedVIP}) {
		t.Fatalf("Add: %v %v", added, err)
	}
	out, err := nftList(t, a, "ip")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "stale") {
		t.Errorf("stale table survived:\n%s", out)
	}
	if g, w := nftTokens(out), nftTokens(seedRuleset(t)); !slices.Equal(g, w) {
		t.Errorf("nft list differs from keepalived's ruleset\n got:\n%s\nwant:\n%s", out, seedRuleset(t))
	}
	if strings.TrimSpace(out) != strings.TrimSpace(fw.Rules()) {
		t.Errorf("Rules() differs from nft's listing\nRules():\n%s\nnft:\n%s", fw.Rules(), out)
	}
	// The behaviour keepalived users meet: the VIP is dead, the real address works.
	if err := dial(b, seedVIP, 8080); err == nil {
		t.Error("connection to the VIP succeeded through the drop rule")
	}
	if err := reachable(b, addrA, 8080); err != nil {
		t.Errorf("connection to the real address failed: %v", err)
	}

	if removed, err := fw.Del(seedVIP); err != nil || len(removed) != 1 {
		t.Fatalf("Del: %v %v", removed, err)
	}
	if err := reachable(b, seedVIP, 8080); err != nil {
		t.Errorf("VIP still dropped after Del: %v", err)
	}
	out, _ = nftList(t, a, "ip")
	if strings.Contains(out, "elements") || strings.TrimSpace(out) != strings.TrimSpace(fw.Rules()) {
		t.Errorf("after Del, nft:\n%s\nRules():\n%s", out, fw.Rules())
	}

	// Someone runs the tutorial's `nft flush ruleset`: the next Add rebuilds.
	if _, err := a.Run(context.Background(), "nft", "flush", "ruleset"); err != nil {
		t.Fatal(err)
	}
	v6 := netip.MustParseAddr("2001:db8:110::100")
	if _, err := fw.Add(seedVIP, netip.MustParseAddr("192.168.110.200"), v6); err != nil {
		t.Fatalf("Add after flush: %v", err)
	}
	out4, err := nftList(t, a, "ip")
	if err != nil {
		t.Fatal(err)
	}
	out6, err := nftList(t, a, "ip6")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out4+out6), strings.TrimSpace(fw.Rules()); got != want {
		t.Errorf("nft after rebuild:\n%s\nRules():\n%s", got, want)
	}
	if !strings.Contains(out4, "elements = { 192.168.110.100, 192.168.110.200 }") {
		t.Errorf("rebuilt set:\n%s", out4)
	}

	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, fam := range []string{"ip", "ip6"} {
		if out, err := nftList(t, a, fam); err == nil {
			t.Errorf("table %s keepalived left after Close:\n%s", fam, out)
		}
	}
	if err := reachable(b, seedVIP, 8080); err != nil {
		t.Errorf("VIP unreachable after Close: %v", err)
	}
}

func TestFirewall6InNamespace(t *testing.T) {
	_, a, b := twoHosts(t, "niofw6")
	idxA, _, _ := a.Interface(lab.HostIfName)
	idxB, _, _ := b.Interface(lab.HostIfName)
	llA := linkLocal(t, a, lab.HostIfName)
	realA := netip.MustParseAddr("2001:db8:110::11")
	vipG := netip.MustParseAddr("2001:db8:110::100")
	vipLL := netip.MustParseAddr("fe80::52")

	var fw *Firewall
	var adA, adB *Addrs
	var ln net.Listener
	in(t, a, func() (err error) {
		if fw, err = NewFirewall(FirewallConfig{}); err != nil {
			return err
		}
		if adA, err = NewAddrs(idxA); err != nil {
			return err
		}
		ln, err = net.Listen("tcp", "[::]:8080")
		return err
	})
	defer fw.Close()
	defer adA.Close()
	defer ln.Close()
	in(t, b, func() (err error) { adB, err = NewAddrs(idxB); return })
	defer adB.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if _, err := adA.Add(VIP{Prefix: netip.PrefixFrom(realA, 64)}, VIP{Prefix: netip.PrefixFrom(vipG, 64)}, HostVIP(vipLL)); err != nil {
		t.Fatal(err)
	}
	if _, err := adB.Add(VIP{Prefix: netip.MustParsePrefix("2001:db8:110::22/64")}); err != nil {
		t.Fatal(err)
	}
	for _, ad := range []netip.Addr{realA, vipG} {
		waitUsable(t, a, lab.HostIfName, ad)
	}
	waitUsable(t, b, lab.HostIfName, netip.MustParseAddr("2001:db8:110::22"))
	zoned := func(a netip.Addr) netip.Addr { return a.WithZone(lab.HostIfName) }
	dialZ := func(addr netip.Addr) error {
		return b.Do(func() error {
			c, err := net.DialTimeout("tcp", netip.AddrPortFrom(addr, 8080).String(), 500*time.Millisecond)
			if err != nil {
				return err
			}
			return c.Close()
		})
	}
	reachableZ := func(addr netip.Addr) error {
		deadline := time.Now().Add(3 * time.Second)
		for {
			err := dialZ(addr)
			if err == nil || time.Now().After(deadline) {
				return err
			}
		}
	}
	for _, to := range []netip.Addr{vipG, zoned(vipLL)} {
		if err := reachableZ(to); err != nil {
			t.Fatalf("before the firewall %s should answer: %v", to, err)
		}
	}

	if _, err := fw.Add(vipG, zoned(vipLL)); err != nil {
		t.Fatal(err)
	}
	out, err := nftList(t, a, "ip6")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/keepalived-ruleset6.txt")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("nft list table ip6 keepalived differs from keepalived's\n got:\n%s\nwant:\n%s", out, want)
	}
	if out != fw.Rules() {
		t.Errorf("Rules() differs from nft\nRules():\n%s\nnft:\n%s", fw.Rules(), out)
	}
	// The VIPs are dead, neighbour discovery and the real addresses work.
	for _, to := range []netip.Addr{vipG, zoned(vipLL)} {
		if err := dialZ(to); err == nil {
			t.Errorf("connection to %s succeeded through the drop rules", to)
		}
	}
	for _, to := range []netip.Addr{realA, zoned(llA)} {
		if err := reachableZ(to); err != nil {
			t.Errorf("connection to %s failed: %v", to, err)
		}
	}
	if _, err := fw.Del(vipG, zoned(vipLL)); err != nil {
		t.Fatal(err)
	}
	for _, to := range []netip.Addr{vipG, zoned(vipLL)} {
		if err := reachableZ(to); err != nil {
			t.Errorf("%s still dropped after Del: %v", to, err)
		}
	}
}
