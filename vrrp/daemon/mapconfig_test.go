package daemon

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	ka "github.com/goha-lb/goha/parser/keepalived"
	"github.com/goha-lb/goha/vrrp"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// fakePrimary gives each interface a fixed primary address, as the seed lab does.
func fakePrimary(addrs map[string]string) PrimaryAddr {
	return func(ifname string, v6 bool) (netip.Addr, error) {
		if s, ok := addrs[ifname]; ok {
			return netip.MustParseAddr(s), nil
		}
		return netip.Addr{}, errors.New("no address")
	}
}

func lintFile(t *testing.T, path string, data []byte) *ka.Config {
	t.Helper()
	r := ka.Lint(ka.Options{File: path, Data: data, ConfigID: "lb", Interfaces: []string{"lo", "ens160", "ens161"},
		UserExists: func(string) bool { return false }})
	if r.Config == nil {
		t.Fatalf("%s: no config: %v", path, r.Diagnostics)
	}
	return r.Config
}

func seedPath(name string) string { return filepath.Join("..", "..", "testdata", "seed", name) }

func TestMapConfigSeeds(t *testing.T) {
	vip := netip.MustParseAddr("192.168.110.100")
	base := func(prio uint8, src string) vrrp.InstanceConfig {
		c := vrrp.DefaultInstanceConfig()
		c.Name, c.Interface, c.Version, c.VRID, c.Priority = "lb_ha", "ens160", 2, 51, prio
		c.VIPs = []netip.Addr{vip}
		c.SrcAddr = netip.MustParseAddr(src)
		c.SkipCheckAdvAddr = true
		// vrrp_strict: PASS dropped, no accept, lower_prio_no_advert, no lower-prio GARPs.
		c.NoAccept, c.LowerPrioNoAdvert = true, true
		c.GarpLowerPrioDelay, c.GarpLowerPrioRepeat = 0, 0
		return c
	}
	for _, tc := range []struct {
		file     string
		src      string
		want     vrrp.InstanceConfig
		garpIntv time.Duration
	}{
		// lb1: state MASTER without priority 255 starts as BACKUP in strict mode.
		{"keepalived-lb1.conf", "192.168.110.11", base(100, "192.168.110.11"), 100 * time.Second},
		// lb2: vrrp_garp_interval 0 is rejected by keepalived; the default (0 = no pacing) stays.
		{"keepalived-lb2.conf", "192.168.110.22", base(90, "192.168.110.22"), 0},
		{"keepalived-lb2-annotated.conf", "192.168.110.22", base(90, "192.168.110.22"), 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			kc := lintFile(t, seedPath(tc.file), nil)
			c, errs := MapConfig(kc, fakePrimary(map[string]string{"ens160": tc.src}))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if len(c.Instances) != 1 {
				t.Fatalf("%d instances", len(c.Instances))
			}
			in := c.Instances[0]
			if d := cmp.Diff(tc.want, in.InstanceConfig, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
				t.Errorf("instance config (-want +got):\n%s", d)
			}
			if in.Group != vrrp.MulticastGroup4 {
				t.Errorf("group %s", in.Group)
			}
			if got := in.Addrs[vip]; got.Prefix != netip.MustParsePrefix("192.168.110.100/24") || got.Dev != "" {
				t.Errorf("VIP spec %+v", got)
			}
			if c.GarpInterval != tc.garpIntv || c.FirewallTable != "keepalived" || c.FirewallPriority != -1 {
				t.Errorf("garp interval %s, table %q prio %d", c.GarpInterval, c.FirewallTable, c.FirewallPriority)
			}
		})
	}
}

func TestMapConfigRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		conf  string
		check func(t *testing.T, c *Config, errs []error)
	}{
		{"min_garp and non-strict accept", `
global_defs { vrrp_min_garp }
vrrp_instance A { interface ens160
 virtual_router_id 1
 authentication { auth_type PASS
  auth_pass secret123 }
 virtual_ipaddress { 10.0.0.1/24 dev ens161 label ens161:1 scope link } }
`, func(t *testing.T, c *Config, errs []error) {
			in := c.Instances[0]
			if in.GarpMasterDelay != 0 || in.GarpMasterRepeat != 1 {
				t.Errorf("min_garp: delay %s repeat %d", in.GarpMasterDelay, in.GarpMasterRepeat)
			}
			if in.NoAccept || in.Priority != 100 || in.AuthType != vrrp.AuthPass || in.AuthPass != "secret12" {
				t.Errorf("accept/prio/auth: %v %d %v %q", in.NoAccept, in.Priority, in.AuthType, in.AuthPass)
			}
			v := in.Addrs[netip.MustParseAddr("10.0.0.1")]
			if v.Dev != "ens161" || v.Label != "ens161:1" || v.Scope != 253 {
				t.Errorf("VIP %+v", v)
			}
		}},
		{"VIP line options, and a VIP's dev tracked unless no_track", `
vrrp_instance A { interface ens160
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1/24 dev ens161
  10.0.0.2/24 dev lo no_track
  10.0.0.3 peer 10.0.0.33 noprefixroute autojoin
  10.0.0.4/24 preferred_lft 30
 }
 virtual_ipaddress_excluded {
  2001:db8::1/64 -nodad preferred_lft forever home mngtmpaddr
 } }
`, func(t *testing.T, c *Config, errs []error) {
			in := c.Instances[0]
			// As keepalived (TRACK_ADDR): ens161 carries a VIP, lo's is no_track.
			if want := []Tracker{{Name: "ens161"}}; !cmp.Equal(in.TrackInterfaces, want) {
				t.Errorf("trackers %+v, want %+v", in.TrackInterfaces, want)
			}
			a := func(s string) VIP { return in.Addrs[netip.MustParseAddr(s)] }
			if v := a("10.0.0.2"); !v.NoTrack || v.Dev != "lo" {
				t.Errorf("no_track VIP %+v", v)
			}
			if v := a("10.0.0.3"); v.Peer != netip.MustParseAddr("10.0.0.33") || v.Prefix.Bits() != 32 ||
				v.Flags != unix.IFA_F_NOPREFIXROUTE|unix.IFA_F_MCAUTOJOIN {
				t.Errorf("peer VIP %+v", v)
			}
			// preferred_lft is IPv6-only in keepalived 2.2.7.
			if v := a("10.0.0.4"); v.HasPreferredLft {
				t.Errorf("IPv4 preferred_lft kept: %+v", v)
			}
			if v := a("2001:db8::1"); !v.DAD || !v.HasPreferredLft || v.PreferredLft != 0xffffffff ||
				v.Flags != unix.IFA_F_HOMEADDRESS|unix.IFA_F_MANAGETEMPADDR {
				t.Errorf("IPv6 options %+v", v)
			}
		}},
		{"IPv6 is VRRPv3 from the link-local address", `
vrrp_instance B { interface ens160
 virtual_router_id 2
 priority 200
 advert_int 0.5
 virtual_ipaddress { fe80::100 2001:db8::100/64 } }
`, func(t *testing.T, c *Config, errs []error) {
			in := c.Instances[0]
			if !in.IPv6 || in.Version != 3 || in.SrcAddr != netip.MustParseAddr("fe80::11") || in.Group != vrrp.MulticastGroup6 {
				t.Errorf("v6 %v version %d src %s group %s", in.IPv6, in.Version, in.SrcAddr, in.Group)
			}
			if in.AdvertInterval != 500*time.Millisecond {
				t.Errorf("advert_int %s", in.AdvertInterval)
			}
		}},
		{"unicast source, peers and sync group trackers", `
vrrp_script chk { script "/bin/true"
 weight -20 }
vrrp_sync_group G { group { C D }
 track_script { chk } }
vrrp_instance C { interface ens160
 virtual_router_id 3
 unicast_src_ip 10.1.1.1
 unicast_peer { 10.1.1.2 min_ttl 250 }
 track_interface { ens161 weight -10 }
 notify "/bin/echo x"
 virtual_ipaddress { 10.0.0.3 } }
vrrp_instance D { interface ens160
 virtual_router_id 4
 mcast_src_ip 10.1.1.9
 virtual_ipaddress { 10.0.0.4 } }
`, func(t *testing.T, c *Config, errs []error) {
			in := c.Instances[0]
			if in.SrcAddr != netip.MustParseAddr("10.1.1.1") || len(in.UnicastPeers) != 1 ||
				in.UnicastPeerTTL[netip.MustParseAddr("10.1.1.2")] != (vrrp.TTLRange{Min: 250, Max: 255}) {
				t.Errorf("unicast: src %s peers %v ttl %v", in.SrcAddr, in.UnicastPeers, in.UnicastPeerTTL)
			}
			if in.SyncGroup != "G" || len(in.TrackScripts) != 1 || in.TrackScripts[0] != (Tracker{Name: "chk", Weight: -20}) {
				t.Errorf("sync group %q scripts %+v", in.SyncGroup, in.TrackScripts)
			}
			if len(in.TrackInterfaces) != 1 || in.TrackInterfaces[0] != (Tracker{Name: "ens161", Weight: -10}) {
				t.Errorf("track_interface %+v", in.TrackInterfaces)
			}
			if got := splitCommand(in.Notify.Generic); len(got) != 2 || got[0] != "/bin/echo" || got[1] != "x" {
				t.Errorf("notify %+v", in.Notify)
			}
			if d := c.Instances[1]; d.SrcAddr != netip.MustParseAddr("10.1.1.9") {
				t.Errorf("mcast_src_ip: %s", d.SrcAddr)
			}
			if len(c.SyncGroups) != 1 || len(c.SyncGroups[0].Members) != 2 {
				t.Errorf("sync groups %+v", c.SyncGroups)
			}
		}},
		{"runtime notices for what is not run", `
static_ipaddress {
 10.9.9.9/32 dev ens160
 10.9.9.8/32
}
vrrp_instance F { interface ens160
 virtual_router_id 6
 use_vmac
 notify_deleted /bin/true
 virtual_ipaddress { 10.0.0.6 } }
`, func(t *testing.T, c *Config, errs []error) {
			// use_vmac and static_* are run; notify_deleted is reported by the
			// parser, with its line (parser/keepalived/KEYWORDS.md). A static
			// address without dev goes on eth0 (no default_interface), as
			// keepalived 2.2.7 does.
			if len(c.Notices) != 0 {
				t.Errorf("notices %q", c.Notices)
			}
			if len(c.StaticAddrs) != 2 || c.StaticAddrs[0].Dev != "ens160" || c.StaticAddrs[1].Dev != "eth0" {
				t.Errorf("static addresses %+v", c.StaticAddrs)
			}
		}},
		{"no source address: instance left out", `
vrrp_instance E { interface ens161
 virtual_router_id 5
 virtual_ipaddress { 10.0.0.5 } }
`, func(t *testing.T, c *Config, errs []error) {
			if len(c.Instances) != 0 || len(errs) != 1 {
				t.Errorf("instances %d errs %v", len(c.Instances), errs)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "k.conf")
			if err := os.WriteFile(p, []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			kc := lintFile(t, p, nil)
			c, errs := MapConfig(kc, fakePrimary(map[string]string{"ens160": "10.9.9.9"}))
			if tc.name == "IPv6 is VRRPv3 from the link-local address" {
				c, errs = MapConfig(kc, func(string, bool) (netip.Addr, error) { return netip.MustParseAddr("fe80::11"), nil })
			}
			tc.check(t, c, errs)
		})
	}
}
