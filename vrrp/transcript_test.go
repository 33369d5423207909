package vrrp

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden transcripts under testdata/vrrp/transcripts")

// harness drives instances like a runner would: it remembers the timers they
// arm so a scenario can say "let the master-down timer fire", and writes a
// transcript of every event and the actions it produced.
type harness struct {
	t      *testing.T
	names  []string
	insts  []*Instance
	group  *SyncGroup
	timers []map[TimerKind]time.Duration
	out    strings.Builder
}

func newHarness(t *testing.T, cfgs ...InstanceConfig) *harness {
	h := &harness{t: t}
	for _, c := range cfgs {
		h.names = append(h.names, c.Name)
		h.insts = append(h.insts, NewInstance(c))
		h.timers = append(h.timers, map[TimerKind]time.Duration{})
	}
	return h
}

func describe(ev Event) string {
	switch e := ev.(type) {
	case AdvertReceived:
		var a Advert
		if err := a.Decode(e.Payload, e.Src.Is6()); err != nil {
			return fmt.Sprintf("AdvertReceived from %s ttl %d: undecodable (%v)", e.Src, e.TTL, err)
		}
		return fmt.Sprintf("AdvertReceived from %s ttl %d: v%d vrid %d prio %d", e.Src, e.TTL, a.Version, a.VRID, a.Priority)
	case TimerExpired:
		return "TimerExpired " + e.Kind.String()
	case Reload:
		return fmt.Sprintf("Reload prio %d vips %s", e.Config.Priority, addrList(e.Config.VIPs))
	case TrackChanged:
		return fmt.Sprintf("TrackChanged delta %d fault %v", e.PriorityDelta, e.Fault)
	case SyncForce:
		return "SyncForce " + e.State.String()
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", ev), "vrrp.")
}

func (h *harness) record(m int, acts []Action) {
	for _, a := range acts {
		switch x := a.(type) {
		case SetTimer:
			h.timers[m][x.Kind] = x.At
		case CancelTimer:
			delete(h.timers[m], x.Kind)
		}
		fmt.Fprintf(&h.out, "    %s\n", a)
	}
}

func (h *harness) step(m int, ev Event) {
	fmt.Fprintf(&h.out, "%s [%s] %s\n", ev.at(), h.names[m], describe(ev))
	if h.group != nil {
		for _, ma := range h.group.Step(m, ev) {
			if ma.Member != m {
				fmt.Fprintf(&h.out, "  [%s] follows the group:\n", h.names[ma.Member])
			}
			h.record(ma.Member, ma.Actions)
		}
	} else {
		h.record(m, h.insts[m].Step(ev))
	}
	fmt.Fprintf(&h.out, "  state %s prio %d\n", h.insts[m].State(), h.insts[m].Priority())
}

// fire lets member m's armed timer k expire; it returns the time it fired.
func (h *harness) fire(m int, k TimerKind) time.Duration {
	at, ok := h.timers[m][k]
	if !ok {
		h.t.Fatalf("[%s] timer %s not armed", h.names[m], k)
	}
	h.step(m, TimerExpired{Now: at, Kind: k})
	return at
}

func (h *harness) check(name string) {
	path := filepath.Join("..", "testdata", "vrrp", "transcripts", name+".txt")
	got := h.out.String()
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("%v (run go test ./vrrp -run Transcript -rewrite)", err)
	}
	if string(want) != got {
		h.t.Fatalf("transcript %s differs; got:\n%s", name, got)
	}
}

func TestTranscriptSeedPair(t *testing.T) {
	c1 := seedConfig("lb_ha", 100, "192.168.110.11")
	c2 := seedConfig("lb_ha", 90, "192.168.110.22")
	h := newHarness(t, c1, c2)
	h.names = []string{"lb1", "lb2"}
	// lb2 starts alone and becomes MASTER.
	h.step(1, Start{Now: 0})
	h.fire(1, TimerMasterDown)
	h.fire(1, TimerAdvert)
	// lb1 starts, hears lb2's lower advert, ignores it and preempts on timeout.
	t1 := 5 * time.Second
	h.step(0, Start{Now: t1})
	h.step(0, rx(t1+500*time.Millisecond, payload(t, c2, 90, lb2), lb2))
	at := h.fire(0, TimerMasterDown)
	if at-t1 != 3609375*time.Microsecond {
		t.Fatalf("lb1 preempted after %s", at-t1)
	}
	// lb2 hears lb1's higher advert and steps down.
	h.step(1, rx(at, payload(t, c1, 100, lb1), lb1))
	if h.insts[1].State() != StateBackup {
		t.Fatal("lb2 did not step down")
	}
	// lb1 keeps advertising; lb2 re-arms on each.
	h.fire(0, TimerAdvert)
	h.step(1, rx(at+time.Second, payload(t, c1, 100, lb1), lb1))
	// SIGTERM on lb1: priority 0, lb2 takes over after its skew time.
	h.step(0, Shutdown{Now: at + 1500*time.Millisecond})
	h.step(1, rx(at+1500*time.Millisecond, payload(t, c1, 0, lb1), lb1))
	got := h.fire(1, TimerMasterDown)
	if got-(at+1500*time.Millisecond) != 648437*time.Microsecond {
		t.Fatalf("takeover after %s", got-(at+1500*time.Millisecond))
	}
	h.check("seed-pair")
}

func TestTranscriptFaultAndReload(t *testing.T) {
	c := plainConfig(100, lb1)
	c.GarpMasterRefresh = 60 * time.Second
	h := newHarness(t, c)
	h.step(0, Start{Now: 0})
	h.fire(0, TimerMasterDown)
	h.step(0, TrackChanged{Now: 4 * time.Second, PriorityDelta: -30})
	h.fire(0, TimerAdvert)
	h.fire(0, TimerGarpDelay)
	h.step(0, InterfaceDown{Now: 20 * time.Second})
	h.step(0, InterfaceUp{Now: 30 * time.Second})
	h.fire(0, TimerMasterDown)
	h.fire(0, TimerGarpRefresh)
	c2 := c
	c2.VIPs = addrs("192.168.110.100", "192.168.110.200")
	h.step(0, Reload{Now: 100 * time.Second, Config: c2})
	h.step(0, Reload{Now: 110 * time.Second, Config: c2})
	h.check("fault-reload")
}

func TestTranscriptV3IPv6(t *testing.T) {
	c := DefaultInstanceConfig()
	c.Name, c.Interface, c.Version, c.VRID, c.IPv6 = "VI_V6", "ens160", 3, 55, true
	c.VIPs = addrs("fe80::55", "2001:db8:110::100")
	c.SrcAddr = netip.MustParseAddr("fe80::11")
	peer := c
	peer.Priority, peer.AdvertInterval = 150, 2*time.Second
	peerSrc := netip.MustParseAddr("fe80::22")
	h := newHarness(t, c)
	h.step(0, Start{Now: 0})
	ev := rx(time.Second, payload(t, peer, 150, peerSrc), peerSrc)
	ev.Dst = MulticastGroup6
	h.step(0, ev)
	h.step(0, AdvertReceived{Now: 2 * time.Second, Payload: ev.Payload, Src: peerSrc, Dst: MulticastGroup6, TTL: 64})
	h.fire(0, TimerMasterDown)
	h.check("v3-ipv6")
}

func TestTranscriptSyncGroup(t *testing.T) {
	a := plainConfig(100, lb1)
	a.Name = "VI_A"
	b := plainConfig(100, lb1)
	b.Name, b.VRID, b.VIPs = "VI_B", 52, addrs("192.168.110.200")
	h := newHarness(t, a, b)
	h.group = &SyncGroup{Name: "G1", Members: h.insts}
	h.step(0, Start{Now: 0})
	h.step(1, Start{Now: 0})
	h.fire(0, TimerMasterDown)
	if h.insts[1].State() != StateMaster {
		t.Fatal("VI_B did not follow VI_A to MASTER")
	}
	h.step(1, TrackChanged{Now: 10 * time.Second, Fault: true})
	if h.insts[0].State() != StateFault {
		t.Fatal("VI_A did not follow VI_B to FAULT")
	}
	h.step(1, TrackChanged{Now: 20 * time.Second, Fault: false})
	if h.insts[0].State() != StateBackup || h.insts[1].State() != StateBackup {
		t.Fatalf("group did not recover: %s %s", h.insts[0].State(), h.insts[1].State())
	}
	peer := plainConfig(200, lb2)
	h.step(0, rx(21*time.Second, payload(t, peer, 200, lb2), lb2))
	h.check("sync-group")
}
