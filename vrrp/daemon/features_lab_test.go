package daemon_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// activeActive is the seed's extension: two instances, one master on each LB.
const activeActive = `global_defs {
   router_id LVS_DEVEL
   vrrp_skip_check_adv_addr
   vrrp_strict
}

vrrp_instance lb_a {
    state BACKUP
    interface ens160
    virtual_router_id 51
    priority PRIO_A
    advert_int 1
    virtual_ipaddress {
        192.168.110.100/24
    }
}

vrrp_instance lb_b {
    state BACKUP
    interface ens160
    virtual_router_id 52
    priority PRIO_B
    advert_int 1
    virtual_ipaddress {
        192.168.110.200/24
    }
}
`

func startWith(t *testing.T, h *lab.Host, bin, dir, name, conf string) *lab.Proc {
	t.Helper()
	p := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	proc, err := h.Start(bin, "-n", "-l", "-D", "-G", "-f", p, "-p", filepath.Join(dir, name+".pid"), "-r", filepath.Join(dir, name+"_vrrp.pid"))
	if err != nil {
		t.Fatal(err)
	}
	return proc
}

func has(t *testing.T, h *lab.Host, a string) bool {
	ok, err := h.HasAddr(lab.HostIfName, netip.MustParseAddr(a))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// waitFor polls cond every 10 ms for at most limit and returns how long it took.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool, logs ...*lab.Proc) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var b strings.Builder
	for _, p := range logs {
		b.WriteString("--- " + p.Host.Name + ":\n" + p.Stderr())
	}
	t.Fatalf("%s: not within %s\n%s", what, limit, b.String())
	return 0
}

// TestActiveActive: instance lb_a is MASTER on lb1, lb_b on lb2; when lb2
// stops, lb1 carries both VIPs and drops traffic to both (vrrp_strict).
func TestActiveActive(t *testing.T) {
	l := lab.NewForTest(t, "kaaa")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	lb1, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	lb2, err := l.AddHost("lb2", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	time.Sleep(time.Second)
	r := strings.NewReplacer
	p1 := startWith(t, lb1, bin, dir, "lb1", r("PRIO_A", "100", "PRIO_B", "90").Replace(activeActive))
	p2 := startWith(t, lb2, bin, dir, "lb2", r("PRIO_A", "90", "PRIO_B", "100").Replace(activeActive))
	waitFor(t, 10*time.Second, "lb1 holds .100 and lb2 holds .200", func() bool {
		return has(t, lb1, "192.168.110.100") && !has(t, lb1, "192.168.110.200") &&
			has(t, lb2, "192.168.110.200") && !has(t, lb2, "192.168.110.100")
	}, p1, p2)

	p2.Signal(syscall.SIGTERM)
	gap := waitFor(t, 3*time.Second, "lb1 holds both VIPs", func() bool {
		return has(t, lb1, "192.168.110.100") && has(t, lb1, "192.168.110.200") && !has(t, lb2, "192.168.110.200")
	}, p1, p2)
	t.Logf("lb_b moved to lb1 %s after lb2's SIGTERM", gap)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tbl, err := lb1.Run(ctx, "nft", "list", "set", "ip", "keepalived", "vips")
	if err != nil || !strings.Contains(tbl, "192.168.110.100") || !strings.Contains(tbl, "192.168.110.200") {
		t.Errorf("lb1 drop set: %v\n%s", err, tbl)
	}
	for _, w := range []string{"(lb_a) Entering MASTER STATE", "(lb_b) Entering BACKUP STATE (init)", "(lb_b) Backup received priority 0 advertisement", "(lb_b) Entering MASTER STATE"} {
		if !strings.Contains(p1.Stderr(), w) {
			t.Errorf("lb1 log lacks %q", w)
		}
	}
	p1.Signal(syscall.SIGTERM)
	for _, p := range []*lab.Proc{p1, p2} {
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not stop", p.Host.Name)
		}
	}
}

// TestTrackScriptAndNotify runs a real vrrp_script and notify script: the
// check failing lowers lb1 below lb2 (weight -20), lb2 takes the VIP;
// the check passing again gives it back. The notify script sees
// keepalived's arguments.
func TestTrackScriptAndNotify(t *testing.T) {
	l := lab.NewForTest(t, "katrk")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	lb1, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	lb2, err := l.AddHost("lb2", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	flag := filepath.Join(dir, "down")
	notifyLog := filepath.Join(dir, "notify.log")
	notify := filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(notify, []byte("#!/bin/sh\necho \"$@\" >> "+notifyLog+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := func(prio string, track bool) string {
		s := "vrrp_script chk {\n  script \"/usr/bin/test ! -e " + flag + "\"\n  interval 1\n  weight -20\n}\n" +
			"vrrp_instance lb_ha {\n  state BACKUP\n  interface ens160\n  virtual_router_id 51\n  priority " + prio + "\n  advert_int 1\n" +
			"  virtual_ipaddress {\n    192.168.110.100/24\n  }\n"
		if track {
			s += "  track_script {\n    chk\n  }\n  notify " + notify + "\n"
		}
		return s + "}\n"
	}
	time.Sleep(time.Second)
	p1 := startWith(t, lb1, bin, dir, "lb1", conf("100", true))
	p2 := startWith(t, lb2, bin, dir, "lb2", conf("90", false))
	vip := "192.168.110.100"
	waitFor(t, 10*time.Second, "VIP on lb1", func() bool { return has(t, lb1, vip) && !has(t, lb2, vip) }, p1, p2)

	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 8*time.Second, "VIP on lb2 after the check fails", func() bool { return has(t, lb2, vip) && !has(t, lb1, vip) }, p1, p2)
	os.Remove(flag)
	waitFor(t, 8*time.Second, "VIP back on lb1", func() bool { return has(t, lb1, vip) && !has(t, lb2, vip) }, p1, p2)

	for _, w := range []string{"Script `chk` now returning 1", "VRRP_Script(chk) failed (exited with status 1)",
		"(lb_ha) Changing effective priority from 100 to 80", "VRRP_Script(chk) succeeded", "(lb_ha) Changing effective priority from 80 to 100"} {
		if !strings.Contains(p1.Stderr(), w) {
			t.Errorf("lb1 log lacks %q:\n%s", w, p1.Stderr())
		}
	}
	// Notify scripts run asynchronously: the second MASTER's script must
	// have written before the stop, or the two appends could race.
	waitFor(t, 5*time.Second, "the second MASTER notify", func() bool {
		b, _ := os.ReadFile(notifyLog)
		return strings.Count(string(b), "MASTER 100") == 2
	}, p1, p2)
	p1.Signal(syscall.SIGTERM)
	p2.Signal(syscall.SIGTERM)
	<-p1.Done()
	<-p2.Done()
	time.Sleep(200 * time.Millisecond) // the STOP notify runs asynchronously
	b, _ := os.ReadFile(notifyLog)
	got := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := []string{"INSTANCE lb_ha BACKUP 100", "INSTANCE lb_ha MASTER 100", "INSTANCE lb_ha BACKUP 80", "INSTANCE lb_ha MASTER 100", "INSTANCE lb_ha STOP 100"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notify calls\n got %q\nwant %q", got, want)
	}
}

// TestTrackInterface: lb1 tracks a second interface with weight -20; its
// link going down lowers lb1 below lb2, which takes the VIP; back up, lb1
// preempts again. Link changes come from netlink (netio.LinkWatcher).
func TestTrackInterface(t *testing.T) {
	l := lab.NewForTest(t, "katif")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	lb1, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	if err := l.AddLink(lb1, "ens161", "10.0.161.11/24"); err != nil {
		lab.Unavailable(t, err.Error())
	}
	lb2, err := l.AddHost("lb2", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	conf := func(prio string, track bool) string {
		s := "vrrp_instance lb_ha {\n  state BACKUP\n  interface ens160\n  virtual_router_id 51\n  priority " + prio + "\n  advert_int 1\n" +
			"  virtual_ipaddress {\n    192.168.110.100/24\n  }\n"
		if track {
			s += "  track_interface {\n    ens161 weight -20\n  }\n"
		}
		return s + "}\n"
	}
	time.Sleep(time.Second)
	p1 := startWith(t, lb1, bin, dir, "lb1", conf("100", true))
	p2 := startWith(t, lb2, bin, dir, "lb2", conf("90", false))
	vip := "192.168.110.100"
	waitFor(t, 10*time.Second, "VIP on lb1", func() bool { return has(t, lb1, vip) && !has(t, lb2, vip) }, p1, p2)
	if err := lb1.SetLink("ens161", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 8*time.Second, "VIP on lb2 after ens161 down", func() bool { return has(t, lb2, vip) && !has(t, lb1, vip) }, p1, p2)
	if err := lb1.SetLink("ens161", true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 8*time.Second, "VIP back on lb1 after ens161 up", func() bool { return has(t, lb1, vip) && !has(t, lb2, vip) }, p1, p2)
	for _, w := range []string{"Netlink reports ens161 down", "(lb_ha) Changing effective priority from 100 to 80",
		"Netlink reports ens161 up", "(lb_ha) Changing effective priority from 80 to 100"} {
		if !strings.Contains(p1.Stderr(), w) {
			t.Errorf("lb1 log lacks %q:\n%s", w, p1.Stderr())
		}
	}
	p1.Signal(syscall.SIGTERM)
	p2.Signal(syscall.SIGTERM)
	<-p1.Done()
	<-p2.Done()
}
