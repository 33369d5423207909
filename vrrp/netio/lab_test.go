package netio

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
	"github.com/google/gopacket"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Addresses of the seed topology, which exist only inside lab namespaces.
var (
	addrA   = netip.MustParseAddr("192.168.110.11")
	addrB   = netip.MustParseAddr("192.168.110.22")
	seedVIP = netip.MustParseAddr("192.168.110.100")
)

// twoHosts builds a lab with hosts a (.11) and b (.22) on one bridge.
// prefix must differ between tests of this package so that a lab left
// half-closed by one test can never collide with the next one's names.
func twoHosts(t *testing.T, prefix string) (*lab.Lab, *lab.Host, *lab.Host) {
	t.Helper()
	l := lab.NewForTest(t, prefix)
	a, err := l.AddHost("a", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	b, err := l.AddHost("b", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	for _, h := range []*lab.Host{a, b} {
		waitOperUp(t, h, lab.HostIfName)
	}
	// The bridge ports too: each end of a veth is activated on its own.
	links, err := l.Switch().Handle().LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range links {
		if link.Type() == "veth" {
			waitOperUp(t, l.Switch(), link.Attrs().Name)
		}
	}
	return l, a, b
}

// waitOperUp waits (bounded) until ifname on h is operationally up. The
// kernel turns the carrier and queueing on asynchronously (linkwatch, up
// to a second after "ip link set up"); frames sent before are dropped.
func waitOperUp(t *testing.T, h *lab.Host, ifname string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		l, err := h.Handle().LinkByName(ifname)
		if err != nil {
			t.Fatal(err)
		}
		if l.Attrs().OperState == netlink.OperUp {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: %s not operationally up after 5 s", h.Name, ifname)
}

// in runs fn inside h's namespace and fails the test on error.
func in(t *testing.T, h *lab.Host, fn func() error) {
	t.Helper()
	if err := h.Do(fn); err != nil {
		t.Fatalf("in %s: %v", h.Name, err)
	}
}

// linkLocal waits (bounded) for ifname's IPv6 link-local address on h to
// be usable (no longer tentative: with DAD off the kernel still clears the
// flag asynchronously, and until then it refuses the address as a source).
func linkLocal(t *testing.T, h *lab.Host, ifname string) netip.Addr {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, a := range usableAddrs(t, h, ifname) {
			if a.IsLinkLocalUnicast() {
				return a
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: no usable link-local address on %s", h.Name, ifname)
	return netip.Addr{}
}

// waitUsable waits (bounded) until addr on h's ifname is not tentative.
func waitUsable(t *testing.T, h *lab.Host, ifname string, addr netip.Addr) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Contains(usableAddrs(t, h, ifname), addr) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %s not usable on %s", h.Name, addr, ifname)
}

func usableAddrs(t *testing.T, h *lab.Host, ifname string) []netip.Addr {
	t.Helper()
	link, err := h.Handle().LinkByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	list, err := h.Handle().AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	var out []netip.Addr
	for _, a := range list {
		if a.Flags&unix.IFA_F_TENTATIVE != 0 {
			continue
		}
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// packets stops a capture and decodes it, after giving frames in flight
// (veth and bridge hand them over asynchronously) time to reach tcpdump.
func packets(t *testing.T, c *lab.Capture) []gopacket.Packet {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	pkts, err := c.Packets()
	if err != nil {
		t.Fatal(err)
	}
	return pkts
}

// capture starts tcpdump on the lab's bridge.
func capture(t *testing.T, l *lab.Lab, filter string) *lab.Capture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := l.Capture(ctx, filter)
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	return c
}
