package daemon_test

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/goha-lb/goha/lab"
	"github.com/goha-lb/goha/vrrp"
)

// TestBadAdvertsIgnored injects crafted adverts with priority 200 (which
// would demote the master if accepted) from a third host on the bridge:
// none changes lb1's state and each is counted under its drop reason in
// the USR2 statistics.
func TestBadAdvertsIgnored(t *testing.T) {
	l := lab.NewForTest(t, "kabad")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	h1, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	evil, err := l.AddHost("evil", "192.168.110.66/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	lb1 := &lbHost{t: t, name: "lb1", h: h1, bin: bin, conf: seedCopy(t, dir, "keepalived-lb1.conf"), dir: dir}
	time.Sleep(time.Second)
	lb1.start()
	defer func() {
		lb1.proc.Signal(syscall.SIGTERM)
		waitExit(t, lb1, 5*time.Second)
	}()
	deadline := time.Now().Add(8 * time.Second)
	for !lb1.hasVIP() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !lb1.hasVIP() {
		t.Fatalf("lb1 never became MASTER:\n%s", lb1.log())
	}

	src := netip.MustParseAddr("192.168.110.66")
	good := func(mod func(*vrrp.Advert)) []byte {
		a := vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: 200, AdverInt: 1,
			Addrs: []netip.Addr{seedVIP}}
		if mod != nil {
			mod(&a)
		}
		b, err := a.Marshal(src, vrrp.MulticastGroup4)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badSum := good(nil)
	badSum[7] ^= 0xff
	huge := append(good(nil), make([]byte, 1200)...)
	v3 := good(func(a *vrrp.Advert) { a.Version, a.AdverInt, a.MaxAdverInt = 3, 0, 100 })
	for _, tc := range []struct {
		name    string
		ttl     int
		payload []byte
	}{
		{"TTL 64", 64, good(nil)},
		{"bad checksum", 255, badSum},
		{"PASS auth against strict no-auth", 255, good(func(a *vrrp.Advert) { a.AuthType, a.AuthData = vrrp.AuthPass, vrrp.PassAuthData("1111") })},
		{"truncated", 255, good(nil)[:10]},
		{"huge", 255, huge},
		{"VRRPv3", 255, v3},
		{"unknown VRID", 255, good(func(a *vrrp.Advert) { a.VRID = 52 })},
	} {
		if err := evil.Do(func() error { return sendRaw(tc.ttl, src, tc.payload) }); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if !lb1.hasVIP() || strings.Count(lb1.log(), "Entering MASTER STATE") != 1 || strings.Contains(lb1.log(), "Entering BACKUP STATE\n") {
		t.Fatalf("a bad advert moved lb1:\n%s", lb1.log())
	}
	os.Remove("/tmp/keepalived.stats")
	lb1.proc.Signal(syscall.SIGUSR2)
	stats := waitFile(t, "/tmp/keepalived.stats")
	for _, w := range []string{"    ip_ttl_err: 1\n", "    chk_err: 1\n", "    authtype_mismatch: 1\n", "    packet_len_err: 2\n",
		"    version_err: 1\n", "  Unknown VRID on socket: 1\n", "  Advertisements:\n    Received: 0\n"} {
		if !strings.Contains(stats, w) {
			t.Errorf("stats lack %q:\n%s", w, stats)
		}
	}
}

// sendRaw sends one VRRP payload to 224.0.0.18 on ens160 with the given TTL,
// from the calling thread's namespace.
func sendRaw(ttl int, src netip.Addr, payload []byte) error {
	pc, err := net.ListenPacket("ip4:112", "0.0.0.0")
	if err != nil {
		return err
	}
	defer pc.Close()
	rc, err := ipv4.NewRawConn(pc)
	if err != nil {
		return err
	}
	ifi, err := net.InterfaceByName(lab.HostIfName)
	if err != nil {
		return err
	}
	if err := rc.SetMulticastInterface(ifi); err != nil {
		return err
	}
	h := &ipv4.Header{Version: 4, Len: ipv4.HeaderLen, TOS: 0xc0, TotalLen: ipv4.HeaderLen + len(payload), ID: 7,
		TTL: ttl, Protocol: 112, Src: src.AsSlice(), Dst: vrrp.MulticastGroup4.AsSlice()}
	return rc.WriteTo(h, payload, nil)
}
