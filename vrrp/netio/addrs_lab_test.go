package netio

import (
	"context"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goha-lb/goha/lab"
	"golang.org/x/sys/unix"
)

// ipAddr is `ip -o addr show dev ens160` inside h, one line per address.
func ipAddr(t *testing.T, h *lab.Host) string {
	t.Helper()
	out, err := h.Run(context.Background(), "ip", "-o", "addr", "show", "dev", lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// addrLine is the `ip -o addr` line of addr, "" if absent.
func addrLine(out string, addr netip.Addr) string {
	re := regexp.MustCompile(`inet6? ` + regexp.QuoteMeta(addr.String()) + `[/ ]`)
	for _, l := range strings.Split(out, "\n") {
		if re.MatchString(l) {
			return l
		}
	}
	return ""
}

// checkAddrLine: addr's `ip -o addr` line in out has every want and no not.
func checkAddrLine(t *testing.T, out, addr string, want, not []string) {
	t.Helper()
	line := addrLine(out, netip.MustParseAddr(addr))
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("%s: %q lacks %q", addr, line, w)
		}
	}
	for _, n := range not {
		if strings.Contains(line, n) {
			t.Errorf("%s: %q has %q", addr, line, n)
		}
	}
}

func TestAddrsAddDel(t *testing.T) {
	_, a, _ := twoHosts(t, "nioaddr")
	idx, _, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	var ad *Addrs
	in(t, a, func() (err error) { ad, err = NewAddrs(idx); return })
	defer ad.Close()

	vip := VIP{Prefix: netip.MustParsePrefix("192.168.110.100/24")}
	labelled := VIP{Prefix: netip.MustParsePrefix("192.168.110.200/24"), Label: "ens160:2"}
	withBrd := VIP{Prefix: netip.MustParsePrefix("10.1.1.1/24"), Broadcast: netip.MustParseAddr("10.1.1.255")}
	host := HostVIP(netip.MustParseAddr("192.168.110.150"))
	v6 := VIP{Prefix: netip.MustParsePrefix("2001:db8:110::100/64")}
	// A different scope inside the primary's subnet is EINVAL in the kernel.
	ll := HostVIP(netip.MustParseAddr("fe80::52"))
	linkScope := VIP{Prefix: netip.MustParsePrefix("169.254.1.1/16"), Scope: unix.RT_SCOPE_LINK}
	all := []VIP{vip, labelled, withBrd, host, v6, linkScope, ll}

	added, err := ad.Add(all...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(added, all) {
		t.Fatalf("added %v, want %v", added, all)
	}
	out := ipAddr(t, a)
	for _, tc := range []struct {
		addr      string
		want, not []string
	}{
		// Like keepalived: a secondary, no broadcast unless asked.
		{"192.168.110.100", []string{"inet 192.168.110.100/24 scope global secondary ens160"}, []string{"brd"}},
		{"192.168.110.200", []string{"inet 192.168.110.200/24 scope global secondary ens160:2"}, []string{"brd"}},
		{"10.1.1.1", []string{"inet 10.1.1.1/24 brd 10.1.1.255 scope global ens160"}, nil},
		{"192.168.110.150", []string{"inet 192.168.110.150/32 scope global ens160"}, []string{"brd"}},
		{"2001:db8:110::100", []string{"inet6 2001:db8:110::100/64 scope global", "nodad"}, []string{"tentative"}},
		// As keepalived 2.2.7 adds fe80::52 (testdata/README.md).
		{"fe80::52", []string{"inet6 fe80::52/128 scope link nodad deprecated", "valid_lft forever preferred_lft 0sec"}, nil},
		{"169.254.1.1", []string{"inet 169.254.1.1/16 scope link ens160"}, []string{"brd"}},
	} {
		checkAddrLine(t, out, tc.addr, tc.want, tc.not)
	}
	if ok, err := ad.Has(netip.MustParseAddr("2001:db8:110::100")); err != nil || !ok {
		t.Errorf("Has(v6 VIP) = %v, %v", ok, err)
	}

	// Present already: no error, nothing reported.
	added, err = ad.Add(vip, v6)
	if err != nil || len(added) != 0 {
		t.Fatalf("re-add: added %v, err %v", added, err)
	}

	removed, err := ad.Del(vip, v6, ll)
	if err != nil || !slices.Equal(removed, []VIP{vip, v6, ll}) {
		t.Fatalf("Del: removed %v, err %v", removed, err)
	}
	out = ipAddr(t, a)
	for _, gone := range []string{"192.168.110.100", "2001:db8:110::100", "fe80::52"} {
		if l := addrLine(out, netip.MustParseAddr(gone)); l != "" {
			t.Errorf("%s still there: %q", gone, l)
		}
	}
	// The primary and the other VIPs survive.
	for _, kept := range []string{"192.168.110.11", "192.168.110.200"} {
		if addrLine(out, netip.MustParseAddr(kept)) == "" {
			t.Errorf("%s vanished:\n%s", kept, out)
		}
	}
	// Gone already: no error, nothing reported.
	removed, err = ad.Del(vip, v6)
	if err != nil || len(removed) != 0 {
		t.Fatalf("re-delete: removed %v, err %v", removed, err)
	}
	if ok, err := ad.Has(vip.Prefix.Addr()); err != nil || ok {
		t.Errorf("Has(deleted) = %v, %v", ok, err)
	}
}

// The VIP line options go on the address as keepalived 2.2.7 puts them
// (`ip -o addr` of the same addresses added by keepalived shows the same
// flags): peer, -nodad, preferred_lft, home, mngtmpaddr, noprefixroute,
// autojoin.
func TestAddrsLineOptions(t *testing.T) {
	_, a, _ := twoHosts(t, "nioaopt")
	idx, _, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	var ad *Addrs
	in(t, a, func() (err error) { ad, err = NewAddrs(idx); return })
	defer ad.Close()

	peer := VIP{Prefix: netip.MustParsePrefix("192.168.110.101/32"), Peer: netip.MustParseAddr("192.168.110.201")}
	noPrefixRoute := VIP{Prefix: netip.MustParsePrefix("10.7.7.1/24"), Flags: unix.IFA_F_NOPREFIXROUTE}
	dad := VIP{Prefix: netip.MustParsePrefix("2001:db8:110::100/64"), DAD: true}
	lft := VIP{Prefix: netip.MustParsePrefix("2001:db8:110::101/64"), PreferredLft: 30, HasPreferredLft: true}
	deprecated := VIP{Prefix: netip.MustParsePrefix("2001:db8:110::102/64"), HasPreferredLft: true,
		Flags: unix.IFA_F_HOMEADDRESS | unix.IFA_F_MANAGETEMPADDR}
	all := []VIP{peer, noPrefixRoute, dad, lft, deprecated}
	if added, err := ad.Add(all...); err != nil || !slices.Equal(added, all) {
		t.Fatalf("added %v, err %v", added, err)
	}
	out := ipAddr(t, a)
	for _, tc := range []struct {
		addr      string
		want, not []string
	}{
		{"192.168.110.101", []string{"inet 192.168.110.101 peer 192.168.110.201/32 scope global"}, nil},
		{"10.7.7.1", []string{"inet 10.7.7.1/24 scope global noprefixroute"}, nil},
		// DAD runs (the lab has no duplicate, so it ends at once or soon):
		// no nodad flag.
		{"2001:db8:110::100", []string{"inet6 2001:db8:110::100/64 scope global"}, []string{"nodad"}},
		{"2001:db8:110::101", []string{"nodad", "valid_lft forever preferred_lft 30sec"}, nil},
		{"2001:db8:110::102", []string{"home", "mngtmpaddr", "nodad", "deprecated", "valid_lft forever preferred_lft 0sec"}, nil},
	} {
		checkAddrLine(t, out, tc.addr, tc.want, tc.not)
	}
	// noprefixroute: no connected route for 10.7.7.0/24.
	if routes, err := a.Run(context.Background(), "ip", "-o", "route", "show", "10.7.7.0/24"); err != nil || strings.TrimSpace(routes) != "" {
		t.Errorf("route for a noprefixroute VIP: %q, %v", routes, err)
	}
	// Removal finds them again (the peer address is matched by IFA_LOCAL).
	if removed, err := ad.Del(all...); err != nil || !slices.Equal(removed, all) {
		t.Fatalf("Del: removed %v, err %v", removed, err)
	}
	out = ipAddr(t, a)
	for _, v := range all {
		if l := addrLine(out, v.Prefix.Addr()); l != "" {
			t.Errorf("%s still there: %q", v, l)
		}
	}
}
