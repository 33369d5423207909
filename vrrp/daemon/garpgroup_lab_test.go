package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// garpGroupConf is the lab's configuration around GROUPS: three VIPs on
// ens160, two on eth1 (dev), five rounds each (garp_master_repeat 5),
// vrrp_garp_interval 0.35 on the interfaces in no garp_group.
const garpGroupConf = `global_defs {
   vrrp_garp_interval 0.35
}
GROUPS
vrrp_instance VI_1 {
    state MASTER
    interface ens160
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.168.110.101/24
        192.168.110.102/24
        192.168.110.103/24
        192.168.111.101/24 dev eth1
        192.168.111.102/24 dev eth1
    }
}
`

// garpGroupConf6 is the same for unsolicited NAs: IPv6 VIPs (VRRPv3),
// vrrp_gna_interval 0.35 outside the garp_groups.
const garpGroupConf6 = `global_defs {
   vrrp_gna_interval 0.35
}
GROUPS
vrrp_instance VI_6 {
    state MASTER
    interface ens160
    virtual_router_id 61
    priority 150
    advert_int 1
    virtual_ipaddress {
        fd00:110::101/64
        fd00:110::102/64
        fd00:110::103/64
        fd00:111::101/64 dev eth1
        fd00:111::102/64 dev eth1
    }
}
`

// garpFrame is one gratuitous ARP (or unsolicited NA) seen on the bridge: the interface it
// left from (by source MAC), the VIP, and when, from the first one.
type garpFrame struct {
	ifname string
	vip    netip.Addr
	at     time.Duration
}

func (f garpFrame) String() string {
	return fmt.Sprintf("%s %s +%dms", f.ifname, f.vip, f.at.Milliseconds())
}

// captureGARPs runs one daemon on h with conf and returns the gratuitous
// ARPs of its first MASTER burst (4 s from the first: the garp_master_delay
// repeat comes 5 s after the transition).
func captureGARPs(t *testing.T, l *lab.Lab, h *lab.Host, argv []string, conf string) []garpFrame {
	t.Helper()
	macs := map[string]string{}
	for _, ifn := range []string{lab.HostIfName, "eth1"} {
		_, mac, err := h.Interface(ifn)
		if err != nil {
			t.Fatal(err)
		}
		macs[mac.String()] = ifn
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "ka.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	capt, err := l.Capture(ctx, "arp or icmp6")
	if err != nil {
		t.Fatal(err)
	}
	argv = append(argv, "-n", "-l", "-D", "-G", "-f", p, "-p", filepath.Join(dir, "ka.pid"), "-r", filepath.Join(dir, "ka_vrrp.pid"))
	proc, err := h.Start(argv...)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() {
		proc.Signal(syscall.SIGTERM)
		select {
		case <-proc.Done():
		case <-time.After(5 * time.Second):
			proc.Kill()
		}
	}
	defer stop()
	waitFor(t, 10*time.Second, argv[0]+" MASTER", func() bool { return strings.Contains(proc.Stderr(), "Entering MASTER STATE") }, proc)
	time.Sleep(4200 * time.Millisecond)
	stop()
	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	var out []garpFrame
	var first time.Time
	for _, pk := range pkts {
		eth, _ := pk.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil {
			continue
		}
		var vip netip.Addr
		if arp, ok := pk.Layer(layers.LayerTypeARP).(*layers.ARP); ok && arp.Operation == layers.ARPRequest && bytes.Equal(arp.SourceProtAddress, arp.DstProtAddress) {
			vip, _ = netip.AddrFromSlice(arp.SourceProtAddress)
		} else if na, ok := pk.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement); ok {
			vip, _ = netip.AddrFromSlice(na.TargetAddress)
		}
		ifn := macs[eth.SrcMAC.String()]
		if ifn == "" || !vip.IsValid() || vip.IsLinkLocalUnicast() {
			continue
		}
		ts := pk.Metadata().Timestamp
		if first.IsZero() {
			first = ts
		}
		if ts.Sub(first) > 4*time.Second {
			break
		}
		out = append(out, garpFrame{ifname: ifn, vip: vip, at: ts.Sub(first)})
	}
	if len(out) == 0 {
		t.Fatalf("%s sent no gratuitous ARP\n%s", argv[0], proc.Stderr())
	}
	return out
}

// TestGarpGroupLikeKeepalived: the GARPs of one MASTER transition are the
// same frames in the same order and at the same times (±60 ms) from
// gokeepalived as from keepalived 2.2.7, with
//   - ens160 in a 0.2 s garp_group, eth1 paced by vrrp_garp_interval;
//   - both in one group: one pace for the two interfaces;
//   - ens160 in a group with gna_interval only: its GARPs not paced at all;
//   - the same first case for unsolicited NAs (gna_interval, IPv6 VIPs).
func TestGarpGroupLikeKeepalived(t *testing.T) {
	testenv.LookPath(t, "keepalived")
	testenv.LookPath(t, "tcpdump")
	l := lab.NewForTest(t, "kagg")
	bin := buildGokeepalived(t)
	h, err := l.AddHost("lb", "10.0.0.1/24")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddLink(h, "eth1", "10.0.1.1/24"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, conf, groups string }{
		{"group and global", garpGroupConf, "garp_group {\n   garp_interval 0.2\n   interface ens160\n}"},
		{"shared", garpGroupConf, "garp_group {\n   garp_interval 0.2\n   interfaces {\n      ens160\n      eth1\n   }\n}"},
		{"gna only", garpGroupConf, "garp_group {\n   gna_interval 0.2\n   interface ens160\n}"},
		{"NA group and global", garpGroupConf6, "garp_group {\n   gna_interval 0.2\n   interface ens160\n}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conf := strings.Replace(c.conf, "GROUPS", c.groups, 1)
			want := captureGARPs(t, l, h, []string{"keepalived", "-P"}, conf)
			t.Logf("keepalived:   %v", want)
			got := captureGARPs(t, l, h, []string{bin}, conf)
			t.Logf("gokeepalived: %v", got)
			if len(got) != len(want) {
				t.Fatalf("gokeepalived sent %d GARPs, keepalived %d", len(got), len(want))
			}
			const tolerance = 60 * time.Millisecond
			for i := range want {
				w, g := want[i], got[i]
				if w.ifname != g.ifname || w.vip != g.vip {
					t.Errorf("GARP %d: gokeepalived %v, keepalived %v", i, g, w)
				}
				if d := g.at - w.at; d > tolerance || d < -tolerance {
					t.Errorf("GARP %d: gokeepalived at +%v, keepalived at +%v", i, g.at, w.at)
				}
			}
		})
	}
}
