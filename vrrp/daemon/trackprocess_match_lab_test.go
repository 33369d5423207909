package daemon_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// TestTrackProcessMatchingLikeKeepalived runs gokeepalived and keepalived
// 2.2.7 side by side with one unweighted instance per way of matching
// (name, full_command, parameters, param_match exact/partial/initial,
// quorum 2), two copies of sleep running with different parameters, and
// a SIGHUP (keepalived counts again at a reload; in a namespace it has no
// process events). Each instance must end in the same state on both.
func TestTrackProcessMatchingLikeKeepalived(t *testing.T) {
	if _, err := exec.LookPath("keepalived"); err != nil {
		testenv.Missing(t, "keepalived not installed")
	}
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "katm")
	dir := t.TempDir()
	hGo, err := l.AddHost("go", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	hKa, err := l.AddHost("ka", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	name := "gtm" + strconv.Itoa(os.Getpid()%1000000)
	sleepBin, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	dummy := filepath.Join(dir, name)
	if b, err := os.ReadFile(sleepBin); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(dummy, b, 0o755); err != nil {
		t.Fatal(err)
	}
	// name: the block's lines; want: the state keepalived 2.2.7 reaches
	// (MASTER: quorum, FAULT: none), with processes "300 1" and "300 12".
	cases := []struct{ inst, block, want string }{
		{"comm", "process NAME", "MASTER"},
		{"comm_q3", "process NAME\n    quorum 3", "FAULT"},
		{"full", "process PATH\n    full_command", "MASTER"},
		{"full_name", "process NAME\n    full_command", "FAULT"},
		{"exact", "process PATH 300 1", "MASTER"},
		{"exact_short", "process PATH 300", "FAULT"},
		{"partial", "process PATH 300\n    param_match partial", "MASTER"},
		{"partial_q2", "process PATH 300 1\n    param_match partial\n    quorum 2", "FAULT"},
		{"initial_q2", "process PATH 300 1\n    param_match initial\n    quorum 2", "MASTER"},
		{"bare_match", "process PATH\n    param_match", "FAULT"},
		{"params_name", "process NAME 300 1", "FAULT"},
	}
	mk := func(pname string, h *lab.Host, real bool, base int) *peer {
		var b strings.Builder
		for i, c := range cases {
			block := strings.NewReplacer("NAME", name, "PATH", dummy).Replace(c.block)
			fmt.Fprintf(&b, "vrrp_track_process t_%s {\n    %s\n    weight 0\n}\n", c.inst, block)
			fmt.Fprintf(&b, "vrrp_instance %s {\n    state BACKUP\n    interface ens160\n    virtual_router_id %d\n    priority 100\n    advert_int 1\n    track_process {\n        t_%s\n    }\n    virtual_ipaddress {\n        192.168.110.%d/24\n    }\n}\n",
				c.inst, base+i, c.inst, base+i)
		}
		p := filepath.Join(dir, pname+".conf")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return &peer{t: t, name: pname, real: real, h: h, bin: bin, conf: p, dir: dir}
	}
	goP, kaP := mk("go", hGo, false, 120), mk("ka", hKa, true, 140)
	goP.start()
	kaP.start()
	for _, args := range [][]string{{"300", "1"}, {"300", "12"}} {
		c := exec.Command(dummy, args...)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	time.Sleep(time.Second)
	for _, p := range []*peer{goP, kaP} {
		if err := p.proc.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	last := func(p *peer, inst string) string {
		st := ""
		for _, l := range strings.Split(p.log(), "\n") {
			l = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(l), " (init)"))
			if i := strings.Index(l, "("+strings.ToUpper(inst)+") ENTERING "); i >= 0 && strings.HasSuffix(l, " STATE") {
				st = strings.TrimSuffix(l[i+len(inst)+len("() ENTERING "):], " STATE")
			}
		}
		return st
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		done := true
		for _, c := range cases {
			done = done && last(goP, c.inst) == c.want && last(kaP, c.inst) == c.want
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var summary []string
	for _, c := range cases {
		g, k := last(goP, c.inst), last(kaP, c.inst)
		if g != k || k != c.want {
			t.Errorf("%s (%q): gokeepalived %s, keepalived 2.2.7 %s, want %s", c.inst, c.block, g, k, c.want)
		}
		summary = append(summary, c.inst+" "+k)
	}
	t.Logf("keepalived 2.2.7: %s", strings.Join(summary, ", "))
	if t.Failed() {
		t.Logf("--- gokeepalived:\n%s\n--- keepalived:\n%s", goP.log(), kaP.log())
	}
}
