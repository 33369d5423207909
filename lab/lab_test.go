package lab

import (
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
)

func TestLabNameParsing(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"t-123-lb1", 123, true},
		{"t-123-sw", 123, true},
		{"t-123", 0, false},
		{"t-x-lb1", 0, false},
		{"u-123-lb1", 0, false},
		{"t-0-lb1", 0, false},
		{"t-123-LB1", 0, false},
		{"tt-123-lb1", 0, false},
	} {
		pid, ok := labPid("t", tc.name)
		if pid != tc.pid || ok != tc.ok {
			t.Errorf("labPid(t, %q) = %d,%v want %d,%v", tc.name, pid, ok, tc.pid, tc.ok)
		}
	}
}

func TestNewRejectsBadPrefix(t *testing.T) {
	for _, p := range []string{"", "A", "a-b", "a b", "../x"} {
		if _, err := New(p); err == nil {
			t.Errorf("New(%q) succeeded", p)
		}
	}
}

func nsExists(name string) bool {
	_, err := os.Stat(filepath.Join(netnsRunDir, name))
	return err == nil
}

func TestTwoHostsTalkAndClose(t *testing.T) {
	l := NewForTest(t, "labt")
	a, err := l.AddHost("a", "192.168.110.11/24", "fd00:110::11/64")
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.AddHost("b", "192.168.110.22/24")
	if err != nil {
		t.Fatal(err)
	}

	got, err := a.Addrs(HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"192.168.110.11/24", "fd00:110::11/64"} {
		if !slices.Contains(got, netip.MustParsePrefix(want)) {
			t.Errorf("a %s addresses %v lack %s", HostIfName, got, want)
		}
	}
	// The same fact seen by iproute2 inside the namespace.
	out, err := b.Run(context.Background(), "ip", "-o", "addr", "show", "dev", HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "inet 192.168.110.22/24") {
		t.Errorf("ip addr in b: %q", out)
	}
	// Nothing of the lab exists in the root namespace.
	if _, err := net.InterfaceByName(HostIfName); err == nil {
		if addrs, _ := ifaceAddrs(HostIfName); slices.Contains(addrs, "192.168.110.11/24") {
			t.Fatal("lab address leaked into the root namespace")
		}
	}

	// b listens, a connects across the bridge and gets b's bytes.
	var ln net.Listener
	if err := b.Do(func() (err error) {
		ln, err = net.Listen("tcp4", "192.168.110.22:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("hello from b " + c.RemoteAddr().String()))
		c.Close()
	}()
	var reply []byte
	if err := a.Do(func() error {
		c, err := net.DialTimeout("tcp4", ln.Addr().String(), 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		reply, err = io.ReadAll(c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(reply), "hello from b 192.168.110.11:") {
		t.Errorf("reply %q", reply)
	}

	// Link down makes the interface report it.
	if err := a.SetLink(HostIfName, false); err != nil {
		t.Fatal(err)
	}
	out, _ = a.Run(context.Background(), "ip", "-o", "link", "show", HostIfName)
	if strings.Contains(out, "state UP") || !strings.Contains(out, "DOWN") {
		t.Errorf("after SetLink down: %q", out)
	}

	names := []string{l.NSName("sw"), a.NS, b.NS}
	for _, n := range names {
		if !nsExists(n) {
			t.Fatalf("namespace %s missing", n)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if nsExists(n) {
			t.Errorf("namespace %s survives Close", n)
		}
	}
	if _, err := os.Stat(l.Dir()); err == nil {
		t.Errorf("lab dir %s survives Close", l.Dir())
	}
}

func ifaceAddrs(name string) ([]string, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	as, err := ifi.Addrs()
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return out, err
}

func TestProcLifecycle(t *testing.T) {
	l := NewForTest(t, "labp")
	h, err := l.AddHost("h", "192.168.110.33/24")
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Start("sh", "-c", "ip -o -4 addr show dev ens160; echo oops >&2; exec sleep 30")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Stderr(), "oops") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.Stdout(), "192.168.110.33/24") {
		t.Errorf("stdout %q", p.Stdout())
	}
	if p.Stderr() != "oops\n" {
		t.Errorf("stderr %q", p.Stderr())
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st, _ := p.Wait()
	if ws, ok := st.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("exit state %v", st)
	}
	if err := p.Kill(); err != nil {
		t.Errorf("Kill after exit: %v", err)
	}

	// A process still running at Close is killed by it.
	q, err := h.Start("sleep", "30")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	select {
	case <-q.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a process running")
	}
}

func TestEtcOverlay(t *testing.T) {
	l := NewForTest(t, "labe")
	h, err := l.AddHost("h")
	if err != nil {
		t.Fatal(err)
	}
	content := "vrrp_instance lab_overlay_" + h.NS + " {}\n"
	if err := h.EtcFile("/etc/keepalived/keepalived.conf", []byte(content)); err != nil {
		t.Fatal(err)
	}
	out, err := h.Run(context.Background(), "cat", "/etc/keepalived/keepalived.conf")
	if err != nil {
		t.Fatal(err)
	}
	if out != content {
		t.Errorf("inside: %q want %q", out, content)
	}
	if b, err := os.ReadFile("/etc/keepalived/keepalived.conf"); err == nil && string(b) == content {
		t.Error("overlay visible outside the host")
	}
	// Another host of the same lab does not see it.
	o, err := l.AddHost("o")
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := o.Run(context.Background(), "cat", "/etc/keepalived/keepalived.conf"); out == content {
		t.Error("overlay visible in another host")
	}
	for _, bad := range []string{"/tmp/x", "/etc", "/etc/netns/x", "/etc/does-not-exist-goha/x.conf"} {
		if err := h.EtcFile(bad, nil); err == nil {
			t.Errorf("EtcFile(%q) accepted", bad)
		}
	}
	dir := filepath.Join(etcRoot, h.NS)
	l.Close()
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s survives Close", dir)
	}
}

func TestCleanupStale(t *testing.T) {
	RequireRoot(t)
	// A process that is certainly dead: a child we started and reaped.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	stale := "labs-" + itoa(dead) + "-lb1"
	live := "labs-" + itoa(os.Getpid()) + "-lb1"
	for _, n := range []string{stale, live} {
		if out, err := exec.Command("ip", "netns", "add", n).CombinedOutput(); err != nil {
			Unavailable(t, string(out))
		}
		n := n
		t.Cleanup(func() { deleteNamespace(n) })
	}
	if err := os.MkdirAll(filepath.Join(etcRoot, stale, "keepalived"), 0o755); err != nil {
		t.Fatal(err)
	}
	removed, err := CleanupStale("labs")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{stale}) {
		t.Errorf("removed %v want [%s]", removed, stale)
	}
	if nsExists(stale) || !nsExists(live) {
		t.Errorf("after cleanup: stale exists=%v live exists=%v", nsExists(stale), nsExists(live))
	}
	if _, err := os.Stat(filepath.Join(etcRoot, stale)); err == nil {
		t.Error("stale /etc/netns overlay survives")
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestCaptureSeesTrafficBetweenHosts(t *testing.T) {
	l := NewForTest(t, "labc")
	a, err := l.AddHost("a", "192.168.110.11/24")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddHost("b", "192.168.110.22/24"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := l.Capture(ctx, "udp port 9999")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Do(func() error {
		conn, err := net.Dial("udp4", "192.168.110.22:9999")
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = conn.Write([]byte("lab-capture"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let ARP resolve and the datagram cross the bridge
	pkts, err := c.Packets()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pkts {
		if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok && string(u.Payload) == "lab-capture" {
			found = true
		}
	}
	if !found {
		t.Errorf("unicast datagram not captured on br0 (%d packets)", len(pkts))
	}
}
