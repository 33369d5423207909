package interop

import (
	"context"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab/seedlab"
)

func TestActiveActiveGokeepalived(t *testing.T) {
	g := gokeepalived(t)
	runActiveActive(t, g, g)
}

func TestActiveActiveMixed(t *testing.T) {
	runActiveActive(t, gokeepalived(t), Keepalived)
}

func TestActiveActiveMixedReverse(t *testing.T) {
	runActiveActive(t, Keepalived, gokeepalived(t))
}

// runActiveActive runs the seed's active-active extension: the seed
// instance (VRID 51, .100, master lb1) plus lb_ha2 (VRID 52, .200, master
// lb2, written by seedlab.ActiveActive next to the seed's lines). Both
// VIPs settle on their masters; lb1's daemon crashes (SIGKILL) → lb2
// carries both; lb1's daemon again → .100 back on lb1, .200 never moved.
func runActiveActive(t *testing.T, impl1, impl2 Impl) {
	if seedlab.VIP2 != VIP2 {
		t.Fatalf("seedlab's second VIP %s, want %s", seedlab.VIP2, VIP2)
	}
	p := newPair(t)
	c1, c2 := seedConfs(t)
	c1, c2 = seedlab.ActiveActive(c1, false), seedlab.ActiveActive(c2, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	capt, err := p.Lab.Capture(ctx, "ip proto 112")
	if err != nil {
		t.Fatal(err)
	}
	d1 := start(t, p.LB1, impl1, c1)
	start(t, p.LB2, impl2, c2)
	for _, w := range []struct {
		vip string
		on  *Node
	}{{VIP, p.LB1}, {VIP2, p.LB2}} {
		if _, err := p.WaitHolder(ctx, w.vip, w.on, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// Both start as BACKUP; lb1, started first, may hold VRID 52 for a
	// moment before lb2 preempts it. From here on nothing moves.
	settled := time.Now()
	// Stable for a few intervals (each backup accepts the other's adverts).
	time.Sleep(2 * time.Second)
	if h1, h2 := p.Holders(VIP), p.Holders(VIP2); len(h1) != 1 || h1[0] != "lb1" || len(h2) != 1 || h2[0] != "lb2" {
		t.Fatalf("after settling: %s on %v, %s on %v", VIP, h1, VIP2, h2)
	}

	// A crash leaves .100 on lb1's interface (keepalived does not clean
	// up after SIGKILL); what matters is that lb2 takes it over.
	d1.Kill()
	deadline := time.Now().Add(3*time.Second + time.Second*166/256 + 500*time.Millisecond)
	for !(p.LB2.HasVIP(VIP) && p.LB2.HasVIP(VIP2)) {
		if time.Now().After(deadline) {
			t.Fatalf("after SIGKILL of lb1: lb2 has %s=%v %s=%v", VIP, p.LB2.HasVIP(VIP), VIP2, p.LB2.HasVIP(VIP2))
		}
		time.Sleep(5 * time.Millisecond)
	}

	start(t, p.LB1, impl1, c1)
	if _, err := p.WaitHolder(ctx, VIP, p.LB1, 8*time.Second); err != nil {
		t.Fatalf("after restarting lb1: %v", err)
	}
	if h := p.Holders(VIP2); len(h) != 1 || h[0] != "lb2" {
		t.Errorf("after restarting lb1: %s on %v, want lb2", VIP2, h)
	}
	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	ads := Adverts(pkts)
	for _, vrid := range []uint8{51, 52} {
		// 20 ms of slack, as in the mixed pairs (an advert in flight).
		if ov := DualMaster(ads, vrid, time.Second); Longest(ov) > time.Second+20*time.Millisecond {
			t.Errorf("VRID %d: dual master for %s: %+v", vrid, Longest(ov), ov)
		}
	}
	// lb_ha2's master never changed once settled: only lb2 advertised
	// VRID 52.
	n52 := 0
	for _, a := range ads {
		if a.VRID != 52 || a.At.Before(settled) {
			continue
		}
		n52++
		if a.Src.String() != LB2Addr {
			t.Errorf("VRID 52 advert from %s (priority %d)", a.Src, a.Priority)
		}
	}
	if n52 < 5 {
		t.Errorf("%d VRID 52 adverts captured, want lb2's every second", n52)
	}
}
