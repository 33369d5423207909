package daemon_test

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/lab"
)

var seedVIP = netip.MustParseAddr("192.168.110.100")

// buildGokeepalived builds the daemon once for the test.
func buildGokeepalived(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gokeepalived")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/goha-lb/goha/cmd/gokeepalived").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// seedCopy copies a seed config unchanged into dir.
func seedCopy(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lbHost is one load balancer of the seed pair.
type lbHost struct {
	t    *testing.T
	name string
	h    *lab.Host
	bin  string
	conf string
	dir  string
	mac  net.HardwareAddr
	proc *lab.Proc
	logs string // console output of previous runs
}

func (lb *lbHost) start() {
	lb.t.Helper()
	if lb.proc != nil {
		lb.logs += lb.proc.Stderr()
	}
	// -G: no syslog from the lab; pid files in the test's directory.
	p, err := lb.h.Start(lb.bin, "-n", "-l", "-D", "-G", "-f", lb.conf,
		"-p", filepath.Join(lb.dir, lb.name+".pid"), "-r", filepath.Join(lb.dir, lb.name+"_vrrp.pid"))
	if err != nil {
		lb.t.Fatal(err)
	}
	lb.proc = p
}

func (lb *lbHost) log() string { return lb.logs + lb.proc.Stderr() }

func (lb *lbHost) hasVIP() bool {
	ok, err := lb.h.HasAddr(lab.HostIfName, seedVIP)
	if err != nil {
		lb.t.Fatal(err)
	}
	return ok
}

func (lb *lbHost) nftTable(ctx context.Context) (string, bool) {
	out, err := lb.h.Run(ctx, "nft", "list", "table", "ip", "keepalived")
	return out, err == nil
}

// waitVIP polls every 10 ms until the VIP is on `on` and not on `off`.
func waitVIP(t *testing.T, on, off *lbHost, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if on.hasVIP() && !off.hasVIP() {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("VIP not on %s only after %s (on %s: %v, on %s: %v)\n--- %s log:\n%s\n--- %s log:\n%s",
		on.name, limit, on.name, on.hasVIP(), off.name, off.hasVIP(), on.name, on.log(), off.name, off.log())
	return 0
}

func waitLog(t *testing.T, lb *lbHost, line string, limit time.Duration) {
	t.Helper()
	waitLine(t, lb, lb.log, line, limit)
}

// waitLine polls read (all of lb's log, or its running daemon's) until it
// contains line.
func waitLine(t *testing.T, lb *lbHost, read func() string, line string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if strings.Contains(read(), line) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s log lacks %q:\n%s", lb.name, line, lb.log())
}

// waitGARPSent waits until the running daemon logged a GARP for the VIP
// as sent: the VIP is on the interface a moment before the GARP leaves,
// and the next step (a kill, a link down) must not cut that moment short.
func waitGARPSent(t *testing.T, lb *lbHost, limit time.Duration) {
	t.Helper()
	waitLine(t, lb, lb.proc.Stderr, "Sending gratuitous ARP on "+lab.HostIfName+" for "+seedVIP.String(), limit)
}

func waitExit(t *testing.T, lb *lbHost, limit time.Duration) int {
	t.Helper()
	select {
	case <-lb.proc.Done():
	case <-time.After(limit):
		t.Fatalf("%s did not exit within %s:\n%s", lb.name, limit, lb.log())
	}
	st, _ := lb.proc.Wait()
	return st.ExitCode()
}

// takeover is a moment the VIP moved to a host: a GARP from that host
// must be seen on the bridge after it.
type takeover struct {
	what string
	to   *lbHost
	at   time.Time
	// paced: the same daemon sent a GARP less than vrrp_garp_interval
	// (lb1: 100 s) ago, so keepalived's per-interface pacing queues the
	// new one: it must NOT be on the wire yet.
	paced bool
}

// TestSeedPair runs both seed configs, unchanged, with gokeepalived on a
// bridge and checks the tutorial's failover story: lb1 holds the VIP after
// preempting, a clean stop and a crash of lb1 move it to lb2, a link
// failure puts lb1 in FAULT, and lb1 takes the VIP back every time.
func TestSeedPair(t *testing.T) {
	l := lab.NewForTest(t, "kapair")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	var lbs [2]*lbHost
	for i, spec := range []struct{ name, cidr, conf string }{
		{"lb1", "192.168.110.11/24", "keepalived-lb1.conf"},
		{"lb2", "192.168.110.22/24", "keepalived-lb2.conf"},
	} {
		h, err := l.AddHost(spec.name, spec.cidr)
		if err != nil {
			lab.Unavailable(t, err.Error())
		}
		_, mac, err := h.Interface(lab.HostIfName)
		if err != nil {
			t.Fatal(err)
		}
		lbs[i] = &lbHost{t: t, name: spec.name, h: h, bin: bin, conf: seedCopy(t, dir, spec.conf), dir: dir, mac: mac}
	}
	lb1, lb2 := lbs[0], lbs[1]
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	capt, err := l.Capture(ctx, "arp or ip proto 112")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	t.Cleanup(func() { capt.Stop() })
	var takeovers []takeover
	// The bridge ports come up asynchronously; give them a moment.
	time.Sleep(time.Second)

	// lb2 alone becomes MASTER; lb1 then starts and preempts it.
	lb2.start()
	waitVIP(t, lb2, lb1, 8*time.Second)
	takeovers = append(takeovers, takeover{"lb2 alone", lb2, time.Now().Add(-5 * time.Second), false})
	t0 := time.Now()
	lb1.start()
	waitVIP(t, lb1, lb2, 10*time.Second)
	takeovers = append(takeovers, takeover{"lb1 preempts", lb1, t0, false})
	waitLog(t, lb1, "(lb_ha) Entering MASTER STATE", time.Second)
	waitLog(t, lb2, "(lb_ha) Entering BACKUP STATE", time.Second)
	for _, w := range []string{"(lb_ha) Entering BACKUP STATE (init)", "(lb_ha) setting firewall drop rule",
		"use_vmac or no_accept/strict specified, but no firewall configured - using nftables"} {
		waitLog(t, lb1, w, time.Second)
	}
	// vrrp_strict without accept: the master drops VIP traffic with nftables.
	tbl, ok := lb1.nftTable(ctx)
	if !ok || !strings.Contains(tbl, "set vips") || !strings.Contains(tbl, "192.168.110.100") ||
		!strings.Contains(tbl, "ip daddr @vips drop") || !strings.Contains(tbl, "ip saddr @vips drop") {
		t.Fatalf("lb1 nft table keepalived:\n%s", tbl)
	}
	if tbl, ok := lb2.nftTable(ctx); ok && strings.Contains(tbl, "192.168.110.100") {
		t.Errorf("the backup drops VIP traffic:\n%s", tbl)
	}

	// SIGTERM: lb1 sends priority 0, lb2 takes over after its skew time
	// ((256-90)/256 s = 0.65 s), lb1 removes its VIP and table, exits 0.
	t0 = time.Now()
	if err := lb1.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	gap := waitVIP(t, lb2, lb1, 3*time.Second)
	takeovers = append(takeovers, takeover{"SIGTERM lb1", lb2, t0, false})
	t.Logf("SIGTERM failover: VIP on lb2 after %s", gap)
	if gap > 1500*time.Millisecond {
		t.Errorf("SIGTERM failover took %s, want < 1.5 s (skew 0.65 s)", gap)
	}
	if rc := waitExit(t, lb1, 5*time.Second); rc != 0 {
		t.Errorf("lb1 exit status %d after SIGTERM", rc)
	}
	if _, ok := lb1.nftTable(ctx); ok {
		t.Errorf("table ip keepalived still on lb1 after SIGTERM")
	}
	waitLog(t, lb1, "(lb_ha) sent 0 priority", time.Second)
	waitLog(t, lb2, "(lb_ha) Backup received priority 0 advertisement", time.Second)

	// lb1 comes back and preempts.
	t0 = time.Now()
	lb1.start()
	waitVIP(t, lb1, lb2, 10*time.Second)
	waitGARPSent(t, lb1, time.Second)
	takeovers = append(takeovers, takeover{"lb1 back", lb1, t0, false})

	// SIGKILL: nothing is cleaned; lb2 takes over after the master down
	// interval 3 × 1 s + 0.65 s. lb1's VIP and table survive, as keepalived's.
	t0 = time.Now()
	if err := lb1.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, lb1, 5*time.Second)
	var killGap time.Duration
	for killGap = time.Since(t0); killGap < 6*time.Second; killGap = time.Since(t0) {
		if lb2.hasVIP() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	takeovers = append(takeovers, takeover{"SIGKILL lb1", lb2, t0, false})
	t.Logf("SIGKILL failover: VIP on lb2 after %s", killGap)
	// The backup's timer runs from lb1's last advert, sent up to 1 s
	// before the kill: the gap is 2.65 s to 3.65 s, plus slack.
	if !lb2.hasVIP() || killGap > 3650*time.Millisecond+500*time.Millisecond || killGap < 2600*time.Millisecond {
		t.Errorf("SIGKILL failover after %s (VIP on lb2: %v), want 3.65 s + slack", killGap, lb2.hasVIP())
	}
	if !lb1.hasVIP() {
		t.Errorf("lb1's VIP vanished after SIGKILL (keepalived leaves it)")
	}
	if _, ok := lb1.nftTable(ctx); !ok {
		t.Errorf("lb1's table ip keepalived vanished after SIGKILL (keepalived leaves it)")
	}
	// Clean what the killed daemon left, as the tutorial had to.
	if out, err := lb1.h.Run(ctx, "ip", "addr", "del", "192.168.110.100/24", "dev", lab.HostIfName); err != nil {
		t.Fatalf("ip addr del: %v %s", err, out)
	}
	if out, err := lb1.h.Run(ctx, "nft", "delete", "table", "ip", "keepalived"); err != nil {
		t.Fatalf("nft delete table: %v %s", err, out)
	}

	t0 = time.Now()
	lb1.start()
	waitVIP(t, lb1, lb2, 10*time.Second)
	waitGARPSent(t, lb1, time.Second)
	takeovers = append(takeovers, takeover{"lb1 back after crash", lb1, t0, false})

	// lb1's ens160 down: FAULT, VIP released, lb2 takes over; up: lb1 preempts.
	t0 = time.Now()
	if err := lb1.h.SetLink(lab.HostIfName, false); err != nil {
		t.Fatal(err)
	}
	waitLog(t, lb1, "(lb_ha) Entering FAULT STATE", 2*time.Second)
	waitVIP(t, lb2, lb1, 6*time.Second)
	takeovers = append(takeovers, takeover{"lb1 link down", lb2, t0, false})
	if tbl, ok := lb1.nftTable(ctx); ok && strings.Contains(tbl, "192.168.110.100") {
		t.Errorf("lb1 in FAULT still drops VIP traffic:\n%s", tbl)
	}
	t0 = time.Now()
	if err := lb1.h.SetLink(lab.HostIfName, true); err != nil {
		t.Fatal(err)
	}
	waitVIP(t, lb1, lb2, 10*time.Second)
	takeovers = append(takeovers, takeover{"lb1 link up", lb1, t0, true})
	// The GARP line follows "setting VIPs." a moment after the VIP shows:
	// wait (bounded) for the second before counting.
	garps := func() int {
		return strings.Count(lb1.proc.Stderr(), "(lb_ha) Sending/queueing gratuitous ARPs on ens160 for 192.168.110.100")
	}
	for deadline := time.Now().Add(2 * time.Second); garps() < 2 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := garps(); n != 2 {
		t.Errorf("lb1 (one run, two MASTER entries) logged %d GARP bursts, want 2", n)
	}

	// SIGHUP of the master with the same file: reloaded in place, the VIP
	// never leaves lb1, keepalived's reload lines are logged.
	watch := watchVIP(lb1)
	if err := lb1.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, lb1, "Reload complete", 3*time.Second)
	time.Sleep(1500 * time.Millisecond)
	if watch() {
		t.Errorf("the VIP left lb1 during a SIGHUP reload")
	}
	for _, w := range []string{"Reloading ...", "Reloading\n", "(lb_ha) Strict mode does not support authentication. Ignoring."} {
		if n := strings.Count(lb1.proc.Stderr(), w); n < 1 {
			t.Errorf("lb1 log lacks %q after SIGHUP", w)
		}
	}
	if strings.Count(lb1.proc.Stderr(), "(lb_ha) Entering MASTER STATE") != 2 {
		t.Errorf("lb1 changed state on SIGHUP:\n%s", lb1.proc.Stderr())
	}

	for _, lb := range lbs {
		if err := lb.proc.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if rc := waitExit(t, lb, 5*time.Second); rc != 0 {
			t.Errorf("%s exit status %d", lb.name, rc)
		}
		if lb.hasVIP() {
			t.Errorf("%s keeps the VIP after SIGTERM", lb.name)
		}
		if _, ok := lb.nftTable(ctx); ok {
			t.Errorf("%s keeps table ip keepalived after SIGTERM", lb.name)
		}
	}

	// A GARP for the VIP from the new master after each takeover.
	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range takeovers {
		found := false
		for _, p := range pkts {
			if p.Metadata().Timestamp.Before(to.at) {
				continue
			}
			arp, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP)
			if !ok || arp.Operation != layers.ARPRequest {
				continue
			}
			if bytes.Equal(arp.SourceProtAddress, seedVIP.AsSlice()) && bytes.Equal(arp.DstProtAddress, seedVIP.AsSlice()) &&
				bytes.Equal(arp.SourceHwAddress, to.to.mac) && bytes.Equal(arp.DstHwAddress, layers.EthernetBroadcast) {
				found = true
				break
			}
		}
		switch {
		case !found && !to.paced:
			t.Errorf("%s: no GARP for %s from %s (%s) on the bridge", to.what, seedVIP, to.to.name, to.to.mac)
		case found && to.paced:
			t.Errorf("%s: a GARP from %s broke vrrp_garp_interval 100", to.what, to.to.name)
		}
	}
	if t.Failed() {
		t.Logf("--- lb1 log:\n%s\n--- lb2 log:\n%s", lb1.log(), lb2.log())
	}
}
