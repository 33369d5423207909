package daemon_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// trackProcConf has three instances following the same dummy process:
// unweighted, weight 20, and unweighted with quorum 2. VRIDs differ per
// daemon (BASE+1..3).
const trackProcConf = `global_defs {
   router_id TP
}

vrrp_track_process tp_w0 {
    process PROC
    weight 0
}

vrrp_track_process tp_w20 {
    process PROC
    weight 20
}

vrrp_track_process tp_q2 {
    process PROC
    quorum 2
    weight 0
}

vrrp_instance w0 {
    state BACKUP
    interface ens160
    virtual_router_id VR1
    priority 100
    advert_int 1
    track_process {
        tp_w0
    }
    virtual_ipaddress {
        VIP1/24
    }
}

vrrp_instance w20 {
    state BACKUP
    interface ens160
    virtual_router_id VR2
    priority 100
    advert_int 1
    track_process {
        tp_w20
    }
    virtual_ipaddress {
        VIP2/24
    }
}

vrrp_instance q2 {
    state BACKUP
    interface ens160
    virtual_router_id VR3
    priority 100
    advert_int 1
    track_process {
        tp_q2
    }
    virtual_ipaddress {
        VIP3/24
    }
}
`

var procStateLine = regexp.MustCompile(`(?i)\((w0|w20|q2)\) entering (\w+) state( \(init\))?$`)

// procStates is each instance's state lines, lower-cased and without
// "(init)": keepalived words the same state "Entering FAULT STATE" or
// "entering FAULT state" depending on the path that took it there.
func procStates(log string) map[string][]string {
	out := map[string][]string{}
	for _, l := range strings.Split(log, "\n") {
		if m := procStateLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out[m[1]] = append(out[m[1]], strings.ToUpper(m[2]))
		}
	}
	return out
}

func lastState(s map[string][]string, inst string) string {
	if l := s[inst]; len(l) > 0 {
		return l[len(l)-1]
	}
	return ""
}

// TestTrackProcessLikeKeepalived runs gokeepalived and keepalived 2.2.7
// side by side, each alone on its VRIDs, following the same dummy
// process (a copy of sleep under a distinctive name, started from the
// test): none at start, one started, a second one, both killed, one
// restarted.
// After each step both must reach the same state per instance, and send
// adverts with the same priority (captured on the lab bridge).
//
// keepalived follows processes through the kernel's process connector,
// which only the initial network namespace has: in the lab's namespaces
// it logs "Failed to set/clear process event listen - errno 111" and only
// counts again when it reloads. So each step ends with a SIGHUP to both
// daemons (gokeepalived has already seen the change by its /proc rescans;
// its reload counts again too).
func TestTrackProcessLikeKeepalived(t *testing.T) {
	if _, err := exec.LookPath("keepalived"); err != nil {
		testenv.Missing(t, "keepalived not installed")
	}
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "katp")
	dir := t.TempDir()
	hGo, err := l.AddHost("go", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	hKa, err := l.AddHost("ka", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	// comm is at most 15 bytes; the pid keeps parallel runs apart.
	name := "gtp" + strconv.Itoa(os.Getpid()%1000000)
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
	var running []*exec.Cmd
	startDummy := func() {
		c := exec.Command(dummy, "300")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		running = append(running, c)
	}
	killDummies := func() {
		for _, c := range running {
			c.Process.Kill()
			c.Wait()
		}
		running = nil
	}
	t.Cleanup(killDummies)

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	capt, err := l.Capture(ctx, "ip proto 112")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	t.Cleanup(func() { capt.Stop() })
	time.Sleep(500 * time.Millisecond)

	mk := func(pname string, h *lab.Host, real bool, base int) *peer {
		r := strings.NewReplacer("PROC", name,
			"VR1", strconv.Itoa(base+1), "VR2", strconv.Itoa(base+2), "VR3", strconv.Itoa(base+3),
			"VIP1", fmt.Sprintf("192.168.110.%d", base+1), "VIP2", fmt.Sprintf("192.168.110.%d", base+2),
			"VIP3", fmt.Sprintf("192.168.110.%d", base+3))
		p := filepath.Join(dir, pname+".conf")
		if err := os.WriteFile(p, []byte(r.Replace(trackProcConf)), 0o644); err != nil {
			t.Fatal(err)
		}
		return &peer{t: t, name: pname, real: real, h: h, bin: bin, conf: p, dir: dir}
	}
	goP, kaP := mk("go", hGo, false, 170), mk("ka", hKa, true, 180)

	// A step: the states both daemons must reach, and the wall-clock
	// window of adverts read afterwards.
	type step struct {
		what   string
		want   map[string]string
		t0, t1 time.Time
	}
	var steps []*step
	settle := func(what string, want map[string]string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			gs, ks := procStates(goP.log()), procStates(kaP.log())
			ok := true
			for inst, st := range want {
				ok = ok && lastState(gs, inst) == st && lastState(ks, inst) == st
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: states %v not reached\n--- gokeepalived:\n%s\n--- keepalived:\n%s", what, want, goP.log(), kaP.log())
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Two and a half advert intervals: the last advert of each
		// instance in the window carries its priority now.
		s := &step{what: what, want: want, t0: time.Now()}
		time.Sleep(2500 * time.Millisecond)
		s.t1 = time.Now()
		steps = append(steps, s)
	}
	hup := func() {
		for _, p := range []*peer{goP, kaP} {
			if err := p.proc.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
	}

	// In a namespace keepalived does not even count at start (it does
	// once it reloads): both start with no process running.
	goP.start()
	kaP.start()
	settle("no process at start", map[string]string{"w0": "FAULT", "w20": "MASTER", "q2": "FAULT"})
	startDummy()
	hup()
	settle("one process started", map[string]string{"w0": "MASTER", "w20": "MASTER", "q2": "FAULT"})
	startDummy()
	hup()
	settle("a second process", map[string]string{"w0": "MASTER", "w20": "MASTER", "q2": "MASTER"})
	killDummies()
	hup()
	settle("both killed", map[string]string{"w0": "FAULT", "w20": "MASTER", "q2": "FAULT"})
	startDummy()
	hup()
	settle("one restarted", map[string]string{"w0": "MASTER", "w20": "MASTER", "q2": "FAULT"})

	pkts, err := capt.Packets()
	if err != nil {
		t.Fatal(err)
	}
	type advert struct {
		at         time.Time
		vrid, prio int
	}
	var adverts []advert
	for _, p := range pkts {
		ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if !ok || ip.Protocol != 112 || len(ip.Payload) < 3 {
			continue
		}
		adverts = append(adverts, advert{p.Metadata().Timestamp, int(ip.Payload[1]), int(ip.Payload[2])})
	}
	// prio is the last advert's priority of vrid in the window, -1 if none.
	prio := func(s *step, vrid int) int {
		v := -1
		for _, a := range adverts {
			if a.vrid == vrid && !a.at.Before(s.t0) && !a.at.After(s.t1) {
				v = a.prio
			}
		}
		return v
	}
	var summary []string
	for _, s := range steps {
		var row []string
		for i, inst := range []string{"w0", "w20", "q2"} {
			g, k := prio(s, 171+i), prio(s, 181+i)
			if g != k {
				t.Errorf("%s: %s advertises priority %d on gokeepalived, %d on keepalived", s.what, inst, g, k)
			}
			if s.want[inst] == "FAULT" && k != -1 {
				t.Errorf("%s: %s in FAULT but keepalived advertises %d", s.what, inst, k)
			}
			row = append(row, fmt.Sprintf("%s %s/%d", inst, s.want[inst], k))
		}
		summary = append(summary, s.what+": "+strings.Join(row, " "))
	}
	for i, want := range []int{100, 120, 120, 100, 120} {
		if p := prio(steps[i], 182); p != want {
			t.Errorf("%s: keepalived's w20 advertises %d, want %d", steps[i].what, p, want)
		}
	}
	gs, ks := procStates(goP.log()), procStates(kaP.log())
	for _, inst := range []string{"w0", "w20", "q2"} {
		if !slices.Equal(gs[inst], ks[inst]) {
			t.Errorf("%s states: gokeepalived %v, keepalived 2.2.7 %v", inst, gs[inst], ks[inst])
		}
	}
	if !strings.Contains(kaP.log(), "Failed to set/clear process event listen - errno 111") ||
		!strings.Contains(goP.log(), "Failed to set/clear process event listen - errno 111") {
		t.Errorf("both daemons should log that there are no process events in a namespace")
	}
	t.Logf("per step (state/priority advertised): %s", strings.Join(summary, "; "))
	if t.Failed() {
		t.Logf("--- gokeepalived:\n%s\n--- keepalived:\n%s", goP.log(), kaP.log())
	}
}

// trackProcSyncConf: sync groups and track_process, no process running
// (PROC never matches): a member's own weighted entry (A), the group's
// weighted entry (C, D; C's own entry of the same process is replaced),
// the group's unweighted one (E, F: FAULT), the group's weighted one with
// an address owner (G: keepalived makes it unweighted, G and H FAULT), a
// reversed negative weight (R: +20).
const trackProcSyncConf = `vrrp_track_process p {
    process PROC
    weight -20
}
vrrp_track_process z {
    process PROC
    weight 0
}
vrrp_track_process r {
    process PROC
    weight -20 reverse
}
INSTANCES
vrrp_sync_group G1 {
    group {
        A
        B
    }
}
vrrp_sync_group G2 {
    group {
        C
        D
    }
    track_process {
        p weight -30
    }
}
vrrp_sync_group G3 {
    group {
        E
        F
    }
    track_process {
        z
    }
}
vrrp_sync_group G4 {
    group {
        G
        H
    }
    track_process {
        p
    }
}
`

var syncProcLine = regexp.MustCompile(`(?i)\(([A-HR])\) (entering \w+ state|changing effective priority from \d+ to \d+|track_process .*)`)

// TestTrackProcessSyncGroupLikeKeepalived starts gokeepalived and
// keepalived 2.2.7 side by side on the same sync-group configuration
// with the tracked process absent: the same states and priority changes
// per instance, and keepalived's line for a process tracked by both an
// instance and its group.
func TestTrackProcessSyncGroupLikeKeepalived(t *testing.T) {
	if _, err := exec.LookPath("keepalived"); err != nil {
		testenv.Missing(t, "keepalived not installed")
	}
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "katq")
	dir := t.TempDir()
	hGo, err := l.AddHost("go", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	hKa, err := l.AddHost("ka", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	time.Sleep(500 * time.Millisecond)
	mk := func(pname string, h *lab.Host, real bool, base int) *peer {
		var insts strings.Builder
		for i, name := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "R"} {
			own, prio := "", 100
			switch name {
			case "A":
				own = "    track_process {\n        p\n    }\n"
			case "C":
				own = "    track_process {\n        p weight -5\n    }\n"
			case "G":
				prio = 255
			case "R":
				own = "    track_process {\n        r\n    }\n"
			}
			fmt.Fprintf(&insts, "vrrp_instance %s {\n    state BACKUP\n    interface ens160\n    virtual_router_id %d\n    priority %d\n    advert_int 1\n%s    virtual_ipaddress {\n        192.168.110.%d/24\n    }\n}\n",
				name, base+i, prio, own, base+i)
		}
		conf := strings.NewReplacer("PROC", "gtp-none", "INSTANCES", insts.String()).Replace(trackProcSyncConf)
		p := filepath.Join(dir, pname+".conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		return &peer{t: t, name: pname, real: real, h: h, bin: bin, conf: p, dir: dir}
	}
	goP, kaP := mk("go", hGo, false, 140), mk("ka", hKa, true, 150)
	goP.start()
	kaP.start()
	lines := func(p *peer) map[string][]string {
		out := map[string][]string{}
		for _, l := range strings.Split(p.log(), "\n") {
			if m := syncProcLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				s := strings.ToLower(strings.TrimSuffix(m[2], " (init)"))
				out[m[1]] = append(out[m[1]], s)
			}
		}
		return out
	}
	want := map[string]string{"A": "entering master state", "B": "entering master state", "C": "entering master state",
		"D": "entering master state", "E": "entering fault state", "F": "entering fault state",
		"G": "entering fault state", "H": "entering fault state", "R": "entering master state"}
	deadline := time.Now().Add(15 * time.Second)
	for {
		g, k := lines(goP), lines(kaP)
		ok := true
		for inst, st := range want {
			ok = ok && slices.Contains(g[inst], st) && slices.Contains(k[inst], st)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("states %v not reached\n--- gokeepalived:\n%s\n--- keepalived:\n%s", want, goP.log(), kaP.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	g, k := lines(goP), lines(kaP)
	for _, inst := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "R"} {
		if !slices.Equal(g[inst], k[inst]) {
			t.Errorf("%s: gokeepalived %q\nkeepalived 2.2.7 %q", inst, g[inst], k[inst])
		}
	}
	if !slices.Contains(k["R"], "changing effective priority from 100 to 120") {
		t.Errorf("keepalived's R: %q, want priority 120 (weight -20 reverse, no process)", k["R"])
	}
	if !slices.Contains(k["C"], "changing effective priority from 100 to 70") {
		t.Errorf("keepalived's C: %q, want priority 70 (the group's -30 only)", k["C"])
	}
	t.Logf("keepalived 2.2.7: %v", k)
	if t.Failed() {
		t.Logf("--- gokeepalived:\n%s\n--- keepalived:\n%s", goP.log(), kaP.log())
	}
}
