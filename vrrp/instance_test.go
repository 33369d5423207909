package vrrp

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	lb1 = netip.MustParseAddr("192.168.110.11")
	lb2 = netip.MustParseAddr("192.168.110.22")
	vip = netip.MustParseAddr("192.168.110.100")
)

// seedConfig is keepalived-lb1/lb2.conf after keepalived's strict rewrites.
func seedConfig(name string, prio uint8, src string) InstanceConfig {
	c := DefaultInstanceConfig()
	c.Name, c.Interface = name, "ens160"
	c.VRID, c.Priority, c.StartMaster = 51, prio, prio == 100
	c.VIPs = []netip.Addr{vip}
	c.SrcAddr = netip.MustParseAddr(src)
	c.SkipCheckAdvAddr = true
	c.NoAccept = true          // strict, accept off
	c.LowerPrioNoAdvert = true // strict
	c.GarpLowerPrioRepeat = 0  // strict
	return c
}

// plainConfig is a non-strict v2 instance.
func plainConfig(prio uint8, src netip.Addr) InstanceConfig {
	c := DefaultInstanceConfig()
	c.Name, c.Interface = "VI_1", "ens160"
	c.VRID, c.Priority = 51, prio
	c.VIPs = []netip.Addr{vip}
	c.SrcAddr = src
	return c
}

// payload marshals an advert as a peer running cfg would send it.
func payload(t testing.TB, cfg InstanceConfig, prio uint8, src netip.Addr) []byte {
	t.Helper()
	i := NewInstance(cfg)
	adv := i.advert(prio).Advert
	dst := MulticastGroup4
	if cfg.IPv6 {
		dst = MulticastGroup6
	}
	b, err := adv.Marshal(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rx(now time.Duration, p []byte, src netip.Addr) AdvertReceived {
	return AdvertReceived{Now: now, Payload: p, Src: src, Dst: MulticastGroup4, TTL: 255}
}

func find[T Action](acts []Action) (T, bool) {
	for _, a := range acts {
		if x, ok := a.(T); ok {
			return x, true
		}
	}
	var zero T
	return zero, false
}

func timerAt(t *testing.T, acts []Action, k TimerKind) time.Duration {
	t.Helper()
	for _, a := range acts {
		if s, ok := a.(SetTimer); ok && s.Kind == k {
			return s.At
		}
	}
	t.Fatalf("no SetTimer %s in %v", k, acts)
	return 0
}

func logs(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		if l, ok := a.(Log); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

func mustLog(t *testing.T, acts []Action, line string) {
	t.Helper()
	if !strings.Contains(logs(acts), line+"\n") {
		t.Fatalf("missing log %q in:\n%s", line, logs(acts))
	}
}

func TestSkewAndMasterDown(t *testing.T) {
	cases := []struct {
		version uint8
		prio    uint8
		adv     time.Duration
		want    time.Duration
	}{
		{2, 100, time.Second, 3609375 * time.Microsecond}, // measured 3.609 s alone
		{2, 90, time.Second, 3648437 * time.Microsecond},
		{2, 255, time.Second, 3003906 * time.Microsecond},
		{2, 1, 3 * time.Second, 9996093 * time.Microsecond},
		{3, 100, time.Second, 3609375 * time.Microsecond},
		{3, 200, 500 * time.Millisecond, 1609375 * time.Microsecond},
	}
	for _, c := range cases {
		cfg := plainConfig(c.prio, lb1)
		cfg.Version, cfg.AdvertInterval = c.version, c.adv
		if got := NewInstance(cfg).MasterDownInterval(); got != c.want {
			t.Errorf("v%d p%d int %s: master down %s, want %s", c.version, c.prio, c.adv, got, c.want)
		}
	}
}

func TestMasterReceive(t *testing.T) {
	type want struct {
		state  State
		advert bool
		garp   bool
		log    string
	}
	cases := []struct {
		name  string
		cfg   func(*InstanceConfig)
		prio  uint8
		src   netip.Addr
		want  want
		after uint8 // our priority afterwards
	}{
		{"priority 0 → immediate advert", nil, 0, lb2, want{StateMaster, true, false, "(VI_1) Master received priority 0 message"}, 100},
		{"higher → BACKUP", nil, 110, lb2, want{StateBackup, false, false, "(VI_1) Master received advert from 192.168.110.22 with higher priority 110, ours 100"}, 100},
		{"lower → advert + GARP", nil, 90, lb2, want{StateMaster, true, true, "(VI_1) Received advert from 192.168.110.22 with lower priority 90, ours 100, forcing new election"}, 100},
		{"lower, strict: silent", func(c *InstanceConfig) { c.LowerPrioNoAdvert, c.GarpLowerPrioRepeat = true, 0 }, 90, lb2, want{StateMaster, false, false, "(VI_1) Received advert from 192.168.110.22 with lower priority 90, ours 100"}, 100},
		{"equal, higher IP → BACKUP", nil, 100, lb2, want{StateBackup, false, false, "(VI_1) Master received advert from 192.168.110.22 with same priority 100 but higher IP address than ours"}, 100},
		{"equal, lower IP → stays", func(c *InstanceConfig) { c.SrcAddr = netip.MustParseAddr("192.168.110.99") }, 100, lb2, want{StateMaster, true, true, "(VI_1) Received advert from 192.168.110.22 with lower priority 100, ours 100, forcing new election"}, 100},
		{"two owners → 254", func(c *InstanceConfig) { c.Priority, c.StartMaster = 255, true }, 255, lb2, want{StateBackup, false, false, "(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority"}, 254},
		{"higher, higher_prio_send_advert", func(c *InstanceConfig) { c.HigherPrioSendAdvert = true }, 110, lb2, want{StateBackup, true, false, "(VI_1) Entering BACKUP STATE"}, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := plainConfig(100, lb1)
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			i := NewInstance(cfg)
			acts := i.Step(Start{Now: 0})
			if i.State() != StateMaster {
				i.Step(TimerExpired{Now: timerAt(t, acts, TimerMasterDown), Kind: TimerMasterDown})
			}
			peer := plainConfig(c.prio, c.src)
			acts = i.Step(rx(10*time.Second, payload(t, peer, c.prio, c.src), c.src))
			if i.State() != c.want.state {
				t.Fatalf("state %s want %s; %v", i.State(), c.want.state, acts)
			}
			_, adv := find[SendAdvert](acts)
			_, garp := find[SendGratuitous](acts)
			if adv != c.want.advert || garp != c.want.garp {
				t.Fatalf("advert %v garp %v, want %v %v: %v", adv, garp, c.want.advert, c.want.garp, acts)
			}
			mustLog(t, acts, c.want.log)
			if i.Priority() != c.after {
				t.Fatalf("priority %d want %d", i.Priority(), c.after)
			}
			if c.want.state == StateBackup {
				if _, ok := find[DelVIPs](acts); !ok {
					t.Fatal("leaving MASTER must remove the VIPs")
				}
			}
		})
	}
}

func TestTrackWeightsClamp(t *testing.T) {
	cases := []struct {
		base  uint8
		delta int
		want  uint8
	}{
		{200, -50, 150}, {100, 10, 110}, {100, 200, 254}, {100, -200, 1}, {255, -100, 255}, {254, 5, 254},
	}
	for _, c := range cases {
		i := NewInstance(plainConfig(c.base, lb1))
		i.Step(Start{Now: 0})
		i.Step(TrackChanged{Now: time.Second, PriorityDelta: c.delta})
		if i.Priority() != c.want {
			t.Errorf("base %d delta %d: %d want %d", c.base, c.delta, i.Priority(), c.want)
		}
	}
}

func TestV3LearnsMasterInterval(t *testing.T) {
	c := plainConfig(100, lb1)
	c.Version = 3
	i := NewInstance(c)
	i.Step(Start{Now: 0})
	peer := plainConfig(200, lb2)
	peer.Version, peer.AdvertInterval = 3, 500*time.Millisecond
	acts := i.Step(rx(time.Second, payload(t, peer, 200, lb2), lb2))
	// 3 × 0.5 s + (256−100)·50cs/256 = 1.5 s + 0.304687 s (keepalived truncates to µs)
	if at := timerAt(t, acts, TimerMasterDown); at != time.Second+1804687*time.Microsecond {
		t.Fatalf("v3 down timer %s", at-time.Second)
	}
}

// Bad adverts are counted by reason and never change state or timers.
func TestBadAdvertsAreCountedOnly(t *testing.T) {
	cfg := plainConfig(100, lb1)
	cfg.AuthType, cfg.AuthPass = AuthPass, "1111"
	good := payload(t, cfg, 110, lb2)
	v3cfg := cfg
	v3cfg.Version = 3
	v3 := payload(t, v3cfg, 110, lb2)
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name   string
		p      []byte
		ttl    int
		reason DropReason
	}{
		{"ttl 64", good, 64, DropTTL},
		{"bad checksum", mut(func(b []byte) []byte { b[7] ^= 1; return b }), 255, DropChecksum},
		{"wrong vrid", mut(func(b []byte) []byte { b[1] = 52; return b }), 255, DropVRID},
		{"wrong pass", mut(func(b []byte) []byte { b[len(b)-1] = 'x'; return b }), 255, DropAuthFailure},
		{"no auth", mut(func(b []byte) []byte { b[4] = 0; return b }), 255, DropAuthTypeMismatch},
		{"auth type 9", mut(func(b []byte) []byte { b[4] = 9; return b }), 255, DropInvalidAuthType},
		{"interval 2", mut(func(b []byte) []byte { b[5] = 2; return b }), 255, DropIntervalMismatch},
		{"truncated", good[:10], 255, DropLength},
		{"huge", append(append([]byte(nil), good...), make([]byte, 1400)...), 255, DropLength},
		{"count overrun", mut(func(b []byte) []byte { b[3] = 9; return b }), 255, DropLength},
		{"v3 advert", v3, 255, DropVersion},
		{"v3 header on v2 length", mut(func(b []byte) []byte { b[0] = 0x31; return b }), 255, DropLength},
		{"version 7", mut(func(b []byte) []byte { b[0] = 0x71; return b }), 255, DropVersion},
		{"type 2", mut(func(b []byte) []byte { b[0] = 0x22; return b }), 255, DropType},
	}
	i := NewInstance(cfg)
	acts := i.Step(Start{Now: 0})
	down := timerAt(t, acts, TimerMasterDown)
	for _, c := range cases {
		before := i.Counters[c.reason]
		acts := i.Step(AdvertReceived{Now: time.Second, Payload: c.p, Src: lb2, Dst: MulticastGroup4, TTL: c.ttl})
		if i.Counters[c.reason] != before+1 {
			t.Errorf("%s: counter %s not incremented (%v)", c.name, c.reason, i.Counters)
		}
		for _, a := range acts {
			if _, ok := a.(Log); !ok {
				t.Errorf("%s: bad advert caused %v", c.name, a)
			}
		}
		if i.State() != StateBackup || i.timers[TimerMasterDown] != down {
			t.Errorf("%s: state/timer changed", c.name)
		}
	}
	if i.Counters[DropNone] != 0 || i.Counters.Dropped() != uint64(len(cases)) {
		t.Fatalf("counters %v", i.Counters)
	}
}

func TestValidateAddressChecks(t *testing.T) {
	cfg := plainConfig(100, lb1)
	other := plainConfig(100, lb2)
	other.VIPs = addrs("192.168.110.101")
	two := plainConfig(100, lb2)
	two.VIPs = addrs("192.168.110.100", "192.168.110.101")
	var a Advert
	meta := RxMeta{Src: lb2, Dst: MulticastGroup4, TTL: 255}
	if v := Validate(&cfg, payload(t, other, 100, lb2), meta, true, &a); v.Reason != DropAddrList {
		t.Errorf("list: %v", v)
	}
	if v := Validate(&cfg, payload(t, two, 100, lb2), meta, true, &a); v.Reason != DropAddrCount {
		t.Errorf("count: %v", v)
	}
	if v := Validate(&cfg, payload(t, two, 100, lb2), meta, false, &a); v.Reason != DropNone {
		t.Errorf("skip_check_adv_addr: %v", v)
	}
	// Unicast: multicast received is a mismatch; unknown source with check_unicast_src.
	uc := cfg
	uc.UnicastPeers = addrs("192.168.110.33")
	uc.CheckUnicastSrc = true
	if v := Validate(&uc, payload(t, cfg, 100, lb2), meta, true, &a); v.Reason != DropCastMismatch {
		t.Errorf("cast: %v", v)
	}
	meta.Dst = lb1
	if v := Validate(&uc, payload(t, cfg, 100, lb2), meta, true, &a); v.Reason != DropUnicastSrc {
		t.Errorf("unicast src: %v", v)
	}
}

func TestV3OldUnicastChecksum(t *testing.T) {
	cfg := plainConfig(100, lb1)
	cfg.Version = 3
	cfg.UnicastPeers = []netip.Addr{lb2}
	adv := NewInstance(cfg).advert(100).Advert
	// keepalived ≤1.3.6 used the multicast group in the pseudo-header.
	old, _ := adv.Marshal(lb2, MulticastGroup4)
	cur, _ := adv.Marshal(lb2, lb1)
	var a Advert
	meta := RxMeta{Src: lb2, Dst: lb1, TTL: 64}
	if v := Validate(&cfg, cur, meta, true, &a); v.Reason != DropNone || v.OldUnicastChecksum {
		t.Fatalf("current: %+v", v)
	}
	if v := Validate(&cfg, old, meta, true, &a); v.Reason != DropNone || !v.OldUnicastChecksum {
		t.Fatalf("old: %+v", v)
	}
	i := NewInstance(cfg)
	i.Step(Start{Now: 0})
	acts := i.Step(AdvertReceived{Now: time.Second, Payload: old, Src: lb2, Dst: lb1, TTL: 64})
	mustLog(t, acts, "(VI_1) Setting unicast VRRPv3 checksum to old version")
	if s := i.advert(100); s.ChecksumDst != MulticastGroup4 {
		t.Fatalf("our adverts must switch to the old checksum: %v", s)
	}
	bad := append([]byte(nil), cur...)
	bad[7] ^= 0xff
	if v := Validate(&cfg, bad, meta, true, &a); v.Reason != DropChecksum {
		t.Fatalf("bad: %+v", v)
	}
}

func ExampleInstance() {
	cfg := DefaultInstanceConfig()
	cfg.Name, cfg.Interface, cfg.VRID = "lb_ha", "ens160", 51
	cfg.VIPs = []netip.Addr{netip.MustParseAddr("192.168.110.100")}
	i := NewInstance(cfg)
	for _, a := range i.Step(Start{Now: 0}) {
		fmt.Println(a)
	}
	// Output:
	// Log (lb_ha) removing VIPs.
	// DelVIPs 192.168.110.100
	// Log (lb_ha) Entering BACKUP STATE (init)
	// Notify BACKUP 100
	// SetTimer master-down at 3.609375s
}

func TestExcludedVIPsAreOwnedNotAdvertised(t *testing.T) {
	c := plainConfig(100, lb1)
	c.ExcludedVIPs = addrs("10.0.0.1")
	i := NewInstance(c)
	acts := i.Step(Start{Now: 0})
	acts = i.Step(TimerExpired{Now: timerAt(t, acts, TimerMasterDown), Kind: TimerMasterDown})
	s, _ := find[SendAdvert](acts)
	add, _ := find[AddVIPs](acts)
	g, _ := find[SendGratuitous](acts)
	if len(s.Advert.Addrs) != 1 || add.String() != "AddVIPs 192.168.110.100,10.0.0.1" || len(g.Addrs) != 2 {
		t.Fatalf("advert %v add %v garp %v", s.Advert.Addrs, add, g)
	}
	acts = i.Step(TimerExpired{Now: i.timers[TimerAdvert], Kind: TimerAdvert})
	if s, _ := find[SendAdvert](acts); len(s.Advert.Addrs) != 1 {
		t.Fatalf("later advert carries %v", s.Advert.Addrs)
	}
}

func TestUnicastPeerTTLRange(t *testing.T) {
	cfg := plainConfig(100, lb1)
	cfg.UnicastPeers = []netip.Addr{lb2}
	cfg.CheckUnicastSrc = true
	cfg.UnicastPeerTTL = map[netip.Addr]TTLRange{lb2: {Min: 250, Max: 255}}
	p := payload(t, cfg, 100, lb2)
	var a Advert
	for ttl, want := range map[int]DropReason{255: DropNone, 250: DropNone, 64: DropTTL, -1: DropNone} {
		v := Validate(&cfg, p, RxMeta{Src: lb2, Dst: lb1, TTL: ttl}, true, &a)
		if v.Reason != want {
			t.Errorf("ttl %d: %s want %s (%s)", ttl, v.Reason, want, v.Msg)
		}
	}
	v := Validate(&cfg, p, RxMeta{Src: lb2, Dst: lb1, TTL: 64}, true, &a)
	if v.Msg != "TTL/HL 64 not in range 250 - 255" {
		t.Errorf("msg %q", v.Msg)
	}
}

func TestV3IntervalLogs(t *testing.T) {
	c := plainConfig(100, lb1)
	c.Version = 3
	i := NewInstance(c)
	i.Step(Start{Now: 0})
	peer := plainConfig(200, lb2)
	peer.Version, peer.AdvertInterval = 3, 2*time.Second
	acts := i.Step(rx(time.Second, payload(t, peer, 200, lb2), lb2))
	mustLog(t, acts, "(VI_1) advertisement interval updated from 1000ms to 2000ms by master")
	acts = i.Step(rx(2*time.Second, payload(t, peer, 0, lb2), lb2))
	// Priority 0 from a 2 s master: skew scaled by the learned interval.
	down := timerAt(t, acts, TimerMasterDown)
	if down-2*time.Second != 1218750*time.Microsecond {
		t.Fatalf("skew %s", down-2*time.Second)
	}
	acts = i.Step(TimerExpired{Now: down, Kind: TimerMasterDown})
	mustLog(t, acts, "(VI_1) changing advert interval from 2000ms to locally configured 1000ms")
	if at := timerAt(t, acts, TimerAdvert); at != down+time.Second {
		t.Fatalf("master must advertise at its own interval: next at %s", at-down)
	}
}
