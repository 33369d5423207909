package netio

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
	"github.com/goha-lb/goha/vrrp"
	"github.com/google/gopacket/layers"
)

// keepalivedV6Conf is a VRRPv3 / IPv6 instance (keepalived switches to v3
// for IPv6 by itself).
const keepalivedV6Conf = `vrrp_instance v6 {
    state BACKUP
    interface ens160
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        2001:db8:110::100/64
    }
}
`

// TestInteropWithKeepalived runs Debian's keepalived 2.2.7 on host a and
// a Conn on host b:
//   - adverts b sends (priority 200, as a higher-priority master would)
//     are accepted by keepalived, which therefore stays BACKUP past its
//     master-down interval and never takes the VIP (a priority-50 advert
//     would be ignored and keepalived would take over: the test fails then);
//   - once b falls silent keepalived becomes MASTER and b's Conn receives
//     its adverts with TTL/hop limit 255, for IPv4 byte for byte as the
//     seed README records them, and its gratuitous ARP / unsolicited NA
//     for the VIP is byte-identical to GARPFrame / NAFrame.
func TestInteropWithKeepalived(t *testing.T) {
	testenv.LookPath(t, "keepalived")
	seed, err := os.ReadFile("../../testdata/seed/keepalived-lb1.conf")
	if err != nil {
		t.Fatal(err)
	}
	seedWire := []byte{0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0x4b, 0xbd, 0xc0, 0xa8, 0x6e, 0x64, 0, 0, 0, 0, 0, 0, 0, 0}
	v6VIP := netip.MustParseAddr("2001:db8:110::100")
	for _, tc := range []struct {
		name   string
		conf   string
		ipv6   bool
		ours   vrrp.Advert
		vip    netip.Addr
		master string // keepalived's instance name
		check  func(t *testing.T, payload []byte)
	}{
		{"v2 seed", string(seed), false, seedAdvert(t, 2, seedVIP), seedVIP, "lb_ha", func(t *testing.T, p []byte) {
			if !bytes.Equal(p, seedWire) {
				t.Errorf("keepalived's advert % x, want % x", p, seedWire)
			}
		}},
		{"v3 IPv6", keepalivedV6Conf, true, vrrp.Advert{Version: 3, Type: vrrp.TypeAdvertisement, VRID: 52, Addrs: []netip.Addr{v6VIP}, MaxAdverInt: 100}, v6VIP, "v6", func(t *testing.T, p []byte) {
			var adv vrrp.Advert
			if err := adv.Decode(p, true); err != nil || adv.Version != 3 || adv.VRID != 52 || adv.Priority != 100 || adv.MaxAdverInt != 100 || !slices.Equal(adv.Addrs, []netip.Addr{v6VIP}) {
				t.Errorf("keepalived's v3 advert % x decodes to %+v, %v", p, adv, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, a, b := twoHosts(t, "nioka")
			llA := linkLocal(t, a, lab.HostIfName)
			linkLocal(t, b, lab.HostIfName)
			dir := l.Dir()
			cfg := filepath.Join(dir, "keepalived.conf")
			if err := os.WriteFile(cfg, []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			var cb *Conn
			in(t, b, func() (err error) { cb, err = Listen(ConnConfig{Interface: lab.HostIfName, IPv6: tc.ipv6}); return })
			defer cb.Close()
			higher := tc.ours
			higher.Priority = 200
			ours, err := higher.Marshal(cb.Src(), cb.Group())
			if err != nil {
				t.Fatal(err)
			}

			cp := capture(t, l, "arp or icmp6")
			ka, err := a.Start("keepalived", "-n", "-l", "-D", "-f", cfg,
				"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "v.pid"), "-c", filepath.Join(dir, "c.pid"))
			if err != nil {
				t.Fatal(err)
			}
			// 5 s of adverts, one a second: past keepalived's 3.6 s
			// master-down interval.
			for range 5 {
				if err := cb.Send(ours, netip.Addr{}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Second)
			}
			if has, err := a.HasAddr(lab.HostIfName, tc.vip); err != nil || has {
				t.Fatalf("keepalived took the VIP despite our priority-200 adverts (has=%v err=%v)\n%s", has, err, ka.Stderr())
			}
			if log := ka.Stderr(); strings.Contains(log, "Entering MASTER STATE") || !strings.Contains(log, "("+tc.master+") Entering BACKUP STATE") {
				t.Fatalf("keepalived did not stay BACKUP:\n%s", log)
			}

			wantSrc := addrA
			if tc.ipv6 {
				wantSrc = llA
			}
			deadline := time.Now().Add(8 * time.Second)
			for {
				cb.SetReadDeadline(deadline)
				p, m, err := cb.Recv()
				if err != nil {
					t.Fatalf("no advert from keepalived: %v\n%s", err, ka.Stderr())
				}
				if m.Src != wantSrc {
					continue
				}
				if m.TTL != 255 || m.Dst != cb.Group() || !m.Multicast {
					t.Errorf("keepalived's advert meta %+v", m)
				}
				tc.check(t, p)
				break
			}

			// keepalived announced the VIP on its takeover: our frame
			// for the same VIP from the same MAC is byte-identical.
			_, macA, err := a.Interface(lab.HostIfName)
			if err != nil {
				t.Fatal(err)
			}
			var announce []byte
			if tc.ipv6 {
				announce, err = NAFrame(macA, tc.vip, false)
			} else {
				announce, err = GARPFrame(macA, tc.vip)
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, p := range packets(t, cp) {
				frame := p.Data()
				if len(frame) < 14 || !bytes.Equal(frame[6:12], macA) {
					continue
				}
				if arp, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok && !tc.ipv6 && bytes.Equal(arp.SourceProtAddress, tc.vip.AsSlice()) {
					seen++
					if !bytes.Equal(frame, announce) {
						t.Errorf("keepalived's GARP\n% x\nours\n% x", frame, announce)
					}
				}
				if na, ok := p.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement); ok && tc.ipv6 && bytes.Equal(na.TargetAddress, tc.vip.AsSlice()) {
					seen++
					if !bytes.Equal(frame, announce) {
						t.Errorf("keepalived's NA\n% x\nours\n% x", frame, announce)
					}
				}
			}
			if seen == 0 {
				t.Errorf("no gratuitous ARP / NA from keepalived for %s captured", tc.vip)
			}
		})
	}
}
