package interop

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
	"github.com/goha-lb/goha/vrrp"
)

// badAdvert is one crafted advert that a correct VRRP router must drop.
// Each carries priority 254, above both seed routers, so accepting it
// would make the MASTER step down and move the VIP.
type badAdvert struct {
	name  string
	frame func(src netip.Addr) Frame
	// log is the line keepalived 2.2.7 writes on the drop, after
	// "(lb_ha) ", "" if it drops silently.
	log string
	// goLog is gokeepalived's line when it differs from log (default: log,
	// cut before ", length" since gokeepalived counts VRRP bytes where
	// keepalived counts IP bytes).
	goLog string
	// kaStat is the line of keepalived's USR2 dump counting the drop
	// ("" when it has no counter); goReason the gokeepalived drop reason
	// (vrrp.DropReason.String) or "unknown-vrid".
	kaStat, goReason string
}

// mutated marshals the seed's advert at priority 254 after change, then
// applies raw to the bytes.
func mutated(change func(*vrrp.Advert), raw func([]byte) []byte) func(netip.Addr) Frame {
	return func(src netip.Addr) Frame {
		a := V2Advert(254)
		if change != nil {
			change(&a)
		}
		b := Advert(a, src, Group4)
		if raw != nil {
			b = raw(b)
		}
		return Frame{Src: src, Dst: Group4, Payload: b}
	}
}

// fixSum recomputes the v2 checksum after a raw change, so that exactly
// one thing is wrong with the advert.
func fixSum(b []byte) []byte {
	b[6], b[7] = 0, 0
	s := vrrp.Checksum(b, netip.Addr{}, netip.Addr{})
	b[6], b[7] = byte(s>>8), byte(s)
	return b
}

var badAdverts = []badAdvert{
	{name: "ttl64",
		frame: func(src netip.Addr) Frame {
			f := mutated(nil, nil)(src)
			f.TTL = 64
			return f
		},
		log: "invalid TTL/HL. Received 64 and expect 255", kaStat: "TTL", goReason: "ip_ttl_err"},
	{name: "bad-checksum",
		frame: mutated(nil, func(b []byte) []byte { b[7] ^= 0x5a; return b }),
		log:   "Invalid VRRPv2 checksum", goReason: "chk_err"},
	{name: "wrong-vrid",
		frame:    mutated(func(a *vrrp.Advert) { a.VRID = 52 }, nil),
		goReason: "unknown-vrid"},
	{name: "version3",
		frame: mutated(func(a *vrrp.Advert) { a.Version, a.MaxAdverInt = 3, 100 }, nil),
		log:   "wrong version. Received 3 and expect 2", goReason: "version_err"},
	{name: "version1",
		frame: mutated(nil, func(b []byte) []byte { b[0] = 0x11; return fixSum(b) }),
		// keepalived checks the length first, with v3's layout for any
		// version other than 2; gokeepalived names the version.
		log: "vrrp packet too long, length 40 and expect 32", kaStat: "Length",
		goLog: "wrong version. Received 1 and expect 2", goReason: "version_err"},
	{name: "auth-pass",
		frame: mutated(func(a *vrrp.Advert) { a.AuthType, a.AuthData = vrrp.AuthPass, vrrp.PassAuthData("1111") }, nil),
		log:   "received a 1 auth, expecting 0!", kaStat: "Type Mismatch", goReason: "authtype_mismatch"},
	{name: "auth-invalid-type",
		frame: mutated(nil, func(b []byte) []byte { b[4] = 7; return fixSum(b) }),
		log:   "Invalid auth type: 7", kaStat: "auth Invalid Type", goReason: "invalid_authtype"},
	{name: "advert-int-3",
		frame: mutated(func(a *vrrp.Advert) { a.AdverInt = 3 }, nil),
		// keepalived 2.2.7 logs it but its "Advertisement Interval"
		// counter stays 0.
		log: "advertisement interval mismatch mine=1 sec rcv'd=3 sec", goReason: "advert_interval_err"},
	{name: "type-2",
		frame: mutated(nil, func(b []byte) []byte { b[0] = 0x22; return fixSum(b) }),
		log:   "Invalid packet type. 2 and expect 1", kaStat: "Invalid Type", goReason: "invalid_type_rcvd"},
	{name: "addr-count-2",
		frame: mutated(func(a *vrrp.Advert) { a.Addrs = append(a.Addrs, netip.MustParseAddr(VIP2)) }, nil),
		log:   "received an unexpected ip number count 2, expected 1!", kaStat: "Address List", goReason: "addr_count_err"},
	{name: "addr-list",
		frame: mutated(func(a *vrrp.Advert) { a.Addrs = []netip.Addr{netip.MustParseAddr(VIP2)} }, nil),
		log:   "ip address associated with VRID 51 not present in MASTER advert: " + VIP, kaStat: "Address List", goReason: "addr_list_err"},
	{name: "count-overrun",
		frame: mutated(nil, func(b []byte) []byte { b[3] = 200; return fixSum(b) }),
		log:   "vrrp packet too short, length 40 and expect 836", kaStat: "Length", goReason: "packet_len_err"},
	{name: "truncated",
		frame: mutated(nil, func(b []byte) []byte { return b[:10] }),
		log:   "vrrp packet too short, length 30 and expect 40", kaStat: "Length", goReason: "packet_len_err"},
	{name: "max-size-junk-trailer",
		// 1500-byte IP packet (the MTU): the valid advert, then junk.
		frame: mutated(nil, func(b []byte) []byte {
			junk := make([]byte, 1500-20-len(b))
			for i := range junk {
				junk[i] = byte(i*7 + 3)
			}
			return append(b, junk...)
		}),
		log: "vrrp packet too long, length 1500 and expect 40", kaStat: "Length", goReason: "packet_len_err"},
	{name: "bad-ip-header-checksum",
		// The kernel drops it before any socket: nothing to count.
		frame: func(src netip.Addr) Frame {
			f := mutated(nil, nil)(src)
			f.BadIPChecksum = true
			return f
		}},
}

// logFor is the drop line impl is expected to write.
func (b badAdvert) logFor(impl Impl) string {
	if impl.Name == "keepalived" {
		return b.log
	}
	if b.goLog != "" {
		return b.goLog
	}
	l, _, _ := strings.Cut(b.log, ", length")
	return l
}

// repeats is how often each bad advert is sent.
const repeats = 3

func TestBadAdvertsKeepalived(t *testing.T) {
	c1, c2 := seedConfs(t)
	runInjection(t, Keepalived, Keepalived, c1, c2, badAdverts, mutated(nil, nil))
}

func TestBadAdvertsGokeepalived(t *testing.T) {
	g := gokeepalived(t)
	c1, c2 := seedConfs(t)
	runInjection(t, g, g, c1, c2, badAdverts, mutated(nil, nil))
}

// withPass sets PASS authentication with password pw on the seed advert.
func withPass(pw string) func(*vrrp.Advert) {
	return func(a *vrrp.Advert) { a.AuthType, a.AuthData = vrrp.AuthPass, vrrp.PassAuthData(pw) }
}

// passAdverts are bad adverts for the seed pair without vrrp_strict,
// where `auth_type PASS` / `auth_pass 1111` is in force.
var passAdverts = []badAdvert{
	{name: "wrong-password",
		frame: mutated(withPass("2222"), nil),
		log:   "received an invalid passwd!", kaStat: "Failure", goReason: "auth_failure"},
	{name: "password-prefix",
		// keepalived compares all 8 bytes: "11112222" is not "1111".
		frame: mutated(withPass("11112222"), nil),
		log:   "received an invalid passwd!", kaStat: "Failure", goReason: "auth_failure"},
	{name: "no-auth",
		frame: mutated(nil, nil),
		log:   "received a 0 auth, expecting 1!", kaStat: "Type Mismatch", goReason: "authtype_mismatch"},
	{name: "ttl64-right-password",
		frame: func(src netip.Addr) Frame {
			f := mutated(withPass("1111"), nil)(src)
			f.TTL = 64
			return f
		},
		log: "invalid TTL/HL. Received 64 and expect 255", kaStat: "TTL", goReason: "ip_ttl_err"},
}

// TestBadAuthPassMixed runs the seed pair without vrrp_strict (so PASS
// authentication is used, on the wire and in the checks), keepalived on
// lb1 and gokeepalived on lb2, and injects adverts with a wrong password
// or none; the control advert carries the right password.
func TestBadAuthPassMixed(t *testing.T) {
	g := gokeepalived(t)
	c1, c2 := seedConfs(t)
	c1, c2 = withoutStrict(c1), withoutStrict(c2)
	runInjection(t, Keepalived, g, c1, c2, passAdverts, mutated(withPass("1111"), nil))
}

func withoutStrict(conf []byte) []byte {
	return []byte(strings.Replace(string(conf), "   vrrp_strict\n", "", 1))
}

// runInjection runs a pair (impl1 with c1 on lb1, the master; impl2 with
// c2 on lb2), injects every case from a third host, and checks that no
// state or VIP changed, that each drop is logged and counted, and finally
// that the control advert (valid, priority 254) from the same injector
// does make lb1 step down (so the injector is heard).
func runInjection(t *testing.T, impl1, impl2 Impl, c1, c2 []byte, cases []badAdvert, control func(netip.Addr) Frame) {
	runInjectionVIP(t, impl1, impl2, c1, c2, cases, control, VIP)
}

// runInjectionVIP is runInjection for a pair whose VIP is vip; an IPv6
// VIP makes the injector send from its link-local address.
func runInjectionVIP(t *testing.T, impl1, impl2 Impl, c1, c2 []byte, cases []badAdvert, control func(netip.Addr) Frame, vip string) {
	p := newPair(t)
	d1 := start(t, p.LB1, impl1, c1)
	d2 := start(t, p.LB2, impl2, c2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := d1.WaitLog("(lb_ha) Entering MASTER STATE", 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitHolder(ctx, vip, p.LB1, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d2.WaitLog("(lb_ha) Entering BACKUP STATE", 1, time.Second); err != nil {
		t.Fatal(err)
	}
	inj, err := NewInjector(p.Inj)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	src := netip.MustParseAddr(InjAddr)
	if netip.MustParseAddr(vip).Is6() {
		src = linkLocal(t, p.Inj)
	}

	// Watch the VIP every 10 ms during the whole injection.
	var (
		mu     sync.Mutex
		wrong  []string
		stop   = make(chan struct{})
		polled sync.WaitGroup
	)
	polled.Add(1)
	go func() {
		defer polled.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if h := p.Holders(vip); len(h) != 1 || h[0] != "lb1" {
				mu.Lock()
				wrong = append(wrong, fmt.Sprintf("%s: %v", time.Now().Format("15:04:05.000"), h))
				mu.Unlock()
			}
		}
	}()
	for _, b := range cases {
		f := b.frame(src)
		f.SrcMAC = inj.MAC
		frame, err := f.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		for range repeats {
			if err := inj.Send(frame); err != nil {
				t.Fatalf("%s: send: %v", b.name, err)
			}
			time.Sleep(60 * time.Millisecond)
		}
	}
	// Longer than the backup's master-down interval (3.65 s): a forged
	// priority 0 or a silenced master would have shown by now.
	time.Sleep(4 * time.Second)
	close(stop)
	polled.Wait()
	if len(wrong) > 0 {
		t.Errorf("VIP %s left lb1 alone during the injection: %v", vip, wrong)
	}
	if n := d1.LogCount("(lb_ha) Entering BACKUP STATE"); n != 1 {
		t.Errorf("lb1 logged Entering BACKUP STATE %d times (want only the initial one)", n)
	}
	if n := d1.LogCount("(lb_ha) Entering MASTER STATE"); n != 1 {
		t.Errorf("lb1 logged Entering MASTER STATE %d times", n)
	}
	if n := d2.LogCount("(lb_ha) Entering MASTER STATE"); n != 0 {
		t.Errorf("lb2 logged Entering MASTER STATE %d times", n)
	}

	// Each drop, logged by both routers, repeats times.
	for _, d := range []*Daemon{d1, d2} {
		want := map[string]int{}
		for _, b := range cases {
			if l := b.logFor(d.Impl); l != "" {
				want[l] += repeats
			}
		}
		for line, n := range want {
			if got := d.LogCount("(lb_ha) " + line); got != n {
				t.Errorf("%s on %s: %d lines %q, want %d", d.Impl.Name, d.Node.Name, got, line, n)
			}
		}
		checkDropCounters(t, d, cases)
	}

	// Control: the same injector, a valid advert at priority 254 → lb1
	// steps down (so every drop above was the check's doing).
	f := control(src)
	f.SrcMAC = inj.MAC
	frame, _ := f.Bytes()
	if err := inj.Send(frame); err != nil {
		t.Fatal(err)
	}
	if err := d1.WaitLog("(lb_ha) Entering BACKUP STATE", 2, 3*time.Second); err != nil {
		t.Fatalf("control advert not accepted: %v", err)
	}
	if _, err := p.WaitHolder(ctx, vip, nil, 2*time.Second); err != nil {
		t.Errorf("after the valid higher-priority advert: %v", err)
	}
	// With the injector silent, lb1 (shorter down timer) takes the VIP back.
	if _, err := p.WaitHolder(ctx, vip, p.LB1, 6*time.Second); err != nil {
		t.Errorf("after the control: %v", err)
	}
}

// linkLocal is n's IPv6 link-local address on ens160.
func linkLocal(t *testing.T, n *Node) netip.Addr {
	t.Helper()
	ps, err := n.Addrs(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ps {
		if a.Addr().Is6() && a.Addr().IsLinkLocalUnicast() {
			return a.Addr()
		}
	}
	t.Fatalf("%s has no link-local address", n.Name)
	return netip.Addr{}
}

// checkDropCounters compares the daemon's USR2 dump with what was sent.
func checkDropCounters(t *testing.T, d *Daemon, cases []badAdvert) {
	t.Helper()
	stats, err := d.Stats()
	if err != nil {
		t.Error(err)
		return
	}
	want := map[string]int{}
	for _, b := range cases {
		if d.Impl.Name == "keepalived" && b.kaStat != "" {
			want[b.kaStat] += repeats
		}
		if d.Impl.Name != "keepalived" && b.goReason != "" {
			want[b.goReason] += repeats
		}
	}
	if testing.Verbose() {
		t.Logf("%s on %s USR2 dump:\n%s", d.Impl.Name, d.Node.Name, stats)
	}
	got := parseStats(stats)
	for k, n := range want {
		if k == "unknown-vrid" {
			k = "Unknown VRID on socket"
		}
		if got[k] != n {
			t.Errorf("%s on %s: stats %q = %d, want %d\n%s", d.Impl.Name, d.Node.Name, k, got[k], n, stats)
		}
	}
}

var statLine = regexp.MustCompile(`^\s*([A-Za-z_ ]+?):\s*(\d+)\s*$`)

// parseStats reads "Name: N" lines of a stats dump. Names under
// "Authentication Errors:" get an "auth " prefix (keepalived reuses
// "Invalid Type" for the packet type) and those under "Priority Zero:" a
// "prio0 " prefix ("Received" is also the adverts' count).
func parseStats(s string) map[string]int {
	out := map[string]int{}
	prefix := ""
	for _, l := range strings.Split(s, "\n") {
		if h := strings.TrimSpace(l); strings.HasSuffix(h, ":") {
			// A section header: the prefix holds until the next one.
			prefix = map[string]string{"Authentication Errors:": "auth ", "Priority Zero:": "prio0 "}[h]
		}
		m := statLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		k := m[1]
		if prefix == "prio0 " || prefix == "auth " && k == "Invalid Type" {
			k = prefix + k
		}
		out[k] += n
	}
	return out
}
