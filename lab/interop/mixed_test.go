package interop

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// variant is a protocol flavour of the seed pair.
type variant struct {
	name    string
	conf    func([]byte) []byte
	vip     string
	version uint8
	v6      bool
}

var variants = []variant{
	{"v2", func(b []byte) []byte { return b }, VIP, 2, false},
	{"v3", V3, VIP, 3, false},
	{"ipv6", IPv6, VIP6, 3, true},
}

// dropLines are keepalived's words for a dropped advert (gokeepalived
// uses the same); none may appear between two interoperating routers.
var dropLines = []string{
	"invalid TTL", "checksum", "wrong version", "vrrp packet too", "auth",
	"interval mismatch", "Invalid packet type", "unexpected ip number count",
	"not present in MASTER advert", "Expected ", "received an invalid",
}

func TestMixedGokeepalivedMaster(t *testing.T) {
	g := gokeepalived(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) { runMixed(t, v, g, Keepalived) })
	}
}

func TestMixedKeepalivedMaster(t *testing.T) {
	g := gokeepalived(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) { runMixed(t, v, Keepalived, g) })
	}
}

// runMixed runs the seed pair (variant v) with master on lb1 and backup
// on lb2: the VIP settles on lb1; SIGTERM on lb1 moves it to lb2; lb1
// restarted takes it back by preemption. A capture on br0 shows both
// routers' adverts valid, with no dual master longer than one interval,
// and neither log shows a dropped advert.
func runMixed(t *testing.T, v variant, master, backup Impl) {
	p := newPair(t)
	c1, c2 := seedConfs(t)
	c1, c2 = v.conf(c1), v.conf(c2)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	capt, err := p.Lab.Capture(ctx, "ip proto 112 or ip6 proto 112")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	d1 := start(t, p.LB1, master, c1)
	d2 := start(t, p.LB2, backup, c2)
	if _, err := p.WaitHolder(ctx, v.vip, p.LB1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// Settled: lb2 stays BACKUP on lb1's adverts for a few intervals.
	time.Sleep(2 * time.Second)
	if h := p.Holders(v.vip); len(h) != 1 || h[0] != "lb1" {
		t.Fatalf("VIP %s held by %v after settling, want lb1", v.vip, h)
	}
	if err := d2.WaitLog("(lb_ha) Entering BACKUP STATE", 1, time.Second); err != nil {
		t.Error(err)
	}

	// SIGTERM on the master: priority 0, lb2 takes over after its skew.
	if err := d1.Term(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitHolder(ctx, v.vip, p.LB2, 3*time.Second); err != nil {
		t.Fatalf("after SIGTERM of lb1: %v", err)
	}
	if err := d2.WaitLog("(lb_ha) Entering MASTER STATE", 1, time.Second); err != nil {
		t.Error(err)
	}

	// lb1 again: it preempts lb2 once its down timer runs out.
	d1b := start(t, p.LB1, master, c1)
	if _, err := p.WaitHolder(ctx, v.vip, p.LB1, 8*time.Second); err != nil {
		t.Fatalf("after restarting lb1: %v", err)
	}
	if err := d2.WaitLog("with higher priority 100, ours 90", 1, 2*time.Second); err != nil {
		t.Errorf("lb2 did not step down on lb1's advert: %v", err)
	}
	time.Sleep(1500 * time.Millisecond) // a last advert or two on the wire
	// Each side counted the other's adverts as received: lb2 lb1's before
	// the SIGTERM, the restarted lb1 lb2's before preempting.
	for _, d := range []*Daemon{d2, d1b} {
		stats, err := d.Stats()
		if err != nil {
			t.Error(err)
			continue
		}
		if n := parseStats(stats)["Received"]; n < 2 {
			t.Errorf("%s on %s counted %d adverts received, want its peer's:\n%s", d.Impl.Name, d.Node.Name, n, stats)
		}
	}
	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	ads := Adverts(pkts)
	checkWire(t, v, ads)
	for _, d := range []*Daemon{d1, d2, d1b} {
		for _, l := range strings.Split(d.Log(), "\n") {
			for _, bad := range dropLines {
				if strings.Contains(l, "(lb_ha) ") && strings.Contains(l, bad) && !strings.Contains(l, "Strict mode does not support authentication") {
					t.Errorf("%s on %s dropped its peer's advert: %s", d.Impl.Name, d.Node.Name, l)
				}
			}
		}
	}
}

// checkWire checks the captured adverts of a mixed run: both routers
// sent valid adverts of the variant's version with TTL 255, and no dual
// master lasted longer than one advert interval.
func checkWire(t *testing.T, v variant, ads []Sent) {
	t.Helper()
	senders := map[netip.Addr]int{}
	for _, a := range ads {
		if a.VRID != 51 {
			continue
		}
		senders[a.Src]++
		if !a.Valid || a.Version != v.version || a.TTL != 255 || a.Src.Is6() != v.v6 {
			t.Errorf("advert %+v: want valid, version %d, TTL 255, IPv6=%v", a, v.version, v.v6)
		}
	}
	if len(senders) != 2 {
		t.Errorf("adverts from %d sources (%v), want lb1 and lb2", len(senders), senders)
	}
	ov := DualMaster(ads, 51, time.Second)
	// 20 ms of slack: an old master may legitimately send one advert
	// while the new master's first one is still in flight.
	if l := Longest(ov); l > time.Second+20*time.Millisecond {
		t.Errorf("dual master for %s (> one advert interval): %+v", l, ov)
	}
	t.Logf("%d adverts from %v; overlaps %v (longest %s)", len(ads), senders, len(ov), Longest(ov))
}
