package daemon_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// TestProcessSignals checks the daemon's process behaviour on lb1 alone:
// fork into the background with pid files, USR1/USR2 dumps, HUP reloads in
// place (the VIP never leaves), a broken file on HUP keeps the running
// configuration, TERM cleans up and removes the pid files.
func TestProcessSignals(t *testing.T) {
	l := lab.NewForTest(t, "kaproc")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	h, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	lb := &lbHost{t: t, name: "lb1", h: h, bin: bin, conf: seedCopy(t, dir, "keepalived-lb1.conf"), dir: dir}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Without -n the command returns at once and the daemon lives on.
	pidFile, vrrpPid := filepath.Join(dir, "k.pid"), filepath.Join(dir, "k_vrrp.pid")
	parent, err := h.Start(bin, "-G", "-f", lb.conf, "-p", pidFile, "-r", vrrpPid)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-parent.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("gokeepalived without -n did not return")
	}
	if st, _ := parent.Wait(); st.ExitCode() != 0 {
		t.Fatalf("forking start exit status %d: %s", st.ExitCode(), parent.Stderr())
	}
	pid := readPid(t, pidFile)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if pid == parent.Pid() || readPid(t, vrrpPid) != pid {
		t.Fatalf("pid files: %d %d, parent %d", pid, readPid(t, vrrpPid), parent.Pid())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("daemon %d not running: %v", pid, err)
	}
	deadline := time.Now().Add(8 * time.Second)
	for !lb.hasVIP() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !lb.hasVIP() {
		t.Fatal("the daemon never became MASTER")
	}

	// USR1 / USR2: keepalived's dump files.
	os.Remove("/tmp/keepalived.data")
	os.Remove("/tmp/keepalived.stats")
	syscall.Kill(pid, syscall.SIGUSR1)
	syscall.Kill(pid, syscall.SIGUSR2)
	data := waitFile(t, "/tmp/keepalived.data")
	stats := waitFile(t, "/tmp/keepalived.stats")
	for _, w := range []string{" VRRP Instance = lb_ha\n", "   State = MASTER\n", "   Priority = 100\n", "     192.168.110.100/24 dev ens160 scope global set nftable_set\n",
		"   Master down timer = 3609375 usecs\n", "   Enforcing strict VRRP compliance\n", "   Multicast address 224.0.0.18\n", " Gratuitous ARP interval = 100.000000\n"} {
		if !strings.Contains(data, w) {
			t.Errorf("keepalived.data lacks %q:\n%s", w, data)
		}
	}
	for _, w := range []string{"VRRP Instance: lb_ha\n", "  Became master: 1\n"} {
		if !strings.Contains(stats, w) {
			t.Errorf("keepalived.stats lacks %q:\n%s", w, stats)
		}
	}

	// Signal 36 (--signum JSON): keepalived's JSON dump.
	os.Remove("/tmp/keepalived.json")
	syscall.Kill(pid, syscall.Signal(36))
	var dump []struct {
		Data struct {
			Iname string   `json:"iname"`
			State int      `json:"state"`
			VIPs  []string `json:"vips"`
		} `json:"data"`
		Stats struct {
			BecomeMaster int `json:"become_master"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(waitFile(t, "/tmp/keepalived.json")), &dump); err != nil || len(dump) != 1 ||
		dump[0].Data.Iname != "lb_ha" || dump[0].Data.State != 2 || dump[0].Stats.BecomeMaster != 1 ||
		len(dump[0].Data.VIPs) != 1 || dump[0].Data.VIPs[0] != "192.168.110.100/24 dev ens160 scope global set nftable_set" {
		t.Errorf("keepalived.json: %v %+v", err, dump)
	}

	// HUP with a new priority: applied in place, the VIP never leaves.
	watch := watchVIP(lb)
	conf, _ := os.ReadFile(lb.conf)
	if err := os.WriteFile(lb.conf, []byte(strings.Replace(string(conf), "priority 100", "priority 120", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGHUP)
	time.Sleep(1500 * time.Millisecond)
	os.Remove("/tmp/keepalived.data")
	syscall.Kill(pid, syscall.SIGUSR1)
	if data := waitFile(t, "/tmp/keepalived.data"); !strings.Contains(data, "   Priority = 120\n") || !strings.Contains(data, "   State = MASTER\n") {
		t.Errorf("after HUP:\n%s", data)
	}
	// HUP with a file naming an interface the host lacks: keepalived 2.2.7
	// terminates (dropping the VIP); gokeepalived keeps what it runs.
	conf, _ = os.ReadFile(lb.conf)
	if err := os.WriteFile(lb.conf, []byte(strings.Replace(string(conf), "interface ens160", "interface nosuch0", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGHUP)
	time.Sleep(1500 * time.Millisecond)
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("daemon died on a reload naming a missing interface: %v", err)
	}
	// HUP with the file gone: logged, the running configuration stays.
	os.Rename(lb.conf, lb.conf+".away")
	syscall.Kill(pid, syscall.SIGHUP)
	time.Sleep(1500 * time.Millisecond)
	if lost := watch(); lost {
		t.Errorf("the VIP left lb1 during the reloads")
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("daemon died on a reload with a missing file: %v", err)
	}

	syscall.Kill(pid, syscall.SIGTERM)
	deadline = time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatal("daemon still running 5 s after SIGTERM")
	}
	if lb.hasVIP() {
		t.Error("VIP left behind after SIGTERM")
	}
	if _, ok := lb.nftTable(ctx); ok {
		t.Error("table ip keepalived left behind after SIGTERM")
	}
	for _, p := range []string{pidFile, vrrpPid} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("pid file %s left behind", p)
		}
	}
}

func readPid(t *testing.T, p string) int {
	t.Helper()
	var b []byte
	var err error
	for range 100 {
		if b, err = os.ReadFile(p); err == nil && len(b) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %s: %q %v", p, b, err)
	}
	return n
}

func waitFile(t *testing.T, p string) string {
	t.Helper()
	for range 100 {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not written", p)
	return ""
}

// watchVIP polls the VIP every 10 ms in the background; the returned
// function stops it and says whether the VIP was ever missing.
func watchVIP(lb *lbHost) func() bool {
	stop, res := make(chan struct{}), make(chan bool)
	go func() {
		lost := false
		for {
			select {
			case <-stop:
				res <- lost
				return
			case <-time.After(10 * time.Millisecond):
				if ok, err := lb.h.HasAddr(lab.HostIfName, seedVIP); err == nil && !ok {
					lost = true
				}
			}
		}
	}()
	return func() bool { close(stop); return <-res }
}
