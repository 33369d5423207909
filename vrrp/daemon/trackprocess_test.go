package daemon

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	ka "github.com/goha-lb/goha/parser/keepalived"
	"github.com/goha-lb/goha/vrrp/netio"
)

// fakeProc writes a /proc entry: stat with comm and state, cmdline.
func fakeProc(t *testing.T, root string, pid int, comm, state string, argv ...string) {
	t.Helper()
	dir := filepath.Join(root, strconv.Itoa(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stat := strconv.Itoa(pid) + " (" + comm + ") " + state + " 1 1 1"
	cmd := ""
	if len(argv) > 0 {
		cmd = strings.Join(argv, "\x00") + "\x00"
	}
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmdline"), []byte(cmd), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTrackProcessMatches is keepalived's comparison: the name exactly
// (no pgrep-like substring), or the command line's first word and its
// parameters by param_match.
func TestTrackProcessMatches(t *testing.T) {
	hap := procInfo{comm: "haproxy", argv: []string{"/usr/sbin/haproxy", "-f", "/etc/haproxy/haproxy.cfg", "-p", "/run/haproxy.pid"}}
	bare := procInfo{comm: "haproxy", argv: []string{"/usr/sbin/haproxy"}}
	for _, tc := range []struct {
		name string
		spec TrackProcessSpec
		p    procInfo
		want bool
	}{
		{"name", TrackProcessSpec{Process: "haproxy"}, hap, true},
		{"name is not a substring", TrackProcessSpec{Process: "hap"}, hap, false},
		{"full_command: first word", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true}, hap, true},
		{"full_command: not the name", TrackProcessSpec{Process: "haproxy", CommandLine: true}, hap, false},
		{"exact", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamExact,
			Params: []string{"-f", "/etc/haproxy/haproxy.cfg", "-p", "/run/haproxy.pid"}}, hap, true},
		{"exact: fewer given", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamExact,
			Params: []string{"-f"}}, hap, false},
		{"exact without parameters", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamExact}, bare, true},
		{"exact without parameters, process has some", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamExact}, hap, false},
		{"partial", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamPartial,
			Params: []string{"-f", "/etc/haproxy/haproxy.cfg"}}, hap, true},
		{"partial: prefix is not enough", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamPartial,
			Params: []string{"-f", "/etc/haproxy"}}, hap, false},
		{"initial: last one a prefix", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamInitial,
			Params: []string{"-f", "/etc/haproxy"}}, hap, true},
		{"initial: earlier ones exact", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamInitial,
			Params: []string{"-", "/etc/haproxy"}}, hap, false},
		{"initial: too many given", TrackProcessSpec{Process: "/usr/sbin/haproxy", CommandLine: true, Match: ka.ParamInitial,
			Params: []string{"-f"}}, bare, false},
	} {
		if got := tc.spec.matches(tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestProcWatcherCounts counts from a /proc tree (zombies left out), then
// follows events: a counted process's child is counted at its fork, a
// process that execs something else or renames itself is no longer
// counted, an exit removes it; thread-free by construction (netio drops
// thread events).
func TestProcWatcherCounts(t *testing.T) {
	root := t.TempDir()
	fakeProc(t, root, 10, "gohatpd", "S", "/tmp/gohatpd", "100")
	fakeProc(t, root, 11, "gohatpd", "Z")
	fakeProc(t, root, 12, "other", "S", "/bin/other")
	fakeProc(t, root, 13, "gohatpd", "R", "/tmp/gohatpd", "200")
	w := newProcWatcher(root, []TrackProcessSpec{
		{Name: "any", Process: "gohatpd", Quorum: 2, QuorumMax: 2},
		{Name: "cmd", Process: "/tmp/gohatpd", CommandLine: true, Match: ka.ParamExact, Params: []string{"100"}, Quorum: 1, QuorumMax: 1 << 30},
	})
	w.scan()
	now := time.Unix(1000, 0)
	count := func() [2]int { return [2]int{len(w.pids[0]), len(w.pids[1])} }
	if got := count(); got != [2]int{2, 1} || !w.up(0) || !w.up(1) {
		t.Fatalf("after the scan: %v, up %v %v", got, w.up(0), w.up(1))
	}
	w.apply(now, netio.ProcEvent{Kind: netio.ProcFork, Parent: 10, PID: 20})
	if got := count(); got != [2]int{3, 2} || w.up(0) {
		t.Fatalf("after a fork: %v, up %v (quorum_max 2)", got, w.up(0))
	}
	fakeProc(t, root, 20, "sh", "S", "/bin/sh")
	w.apply(now, netio.ProcEvent{Kind: netio.ProcExec, PID: 20})
	if got := count(); got != [2]int{2, 1} || !w.up(0) {
		t.Fatalf("after the child's exec: %v", got)
	}
	w.apply(now, netio.ProcEvent{Kind: netio.ProcComm, PID: 13, Comm: "renamed"})
	if got := count(); got != [2]int{1, 1} || w.up(0) {
		t.Fatalf("after a rename: %v", got)
	}
	w.apply(now, netio.ProcEvent{Kind: netio.ProcExit, PID: 10})
	if got := count(); got != [2]int{0, 0} || w.up(1) {
		t.Fatalf("after the exit: %v", got)
	}
}

// TestProcessState is vrrp_track.c's arithmetic for track_process:
// reverse negates the weight, not the state.
func TestProcessState(t *testing.T) {
	r := New(&Config{}, Options{})
	r.procUp = map[string]bool{"up": true, "down": false}
	for _, tc := range []struct {
		name  string
		t     Tracker
		delta int
		fault bool
	}{
		{"up, weight 0", Tracker{Name: "up"}, 0, false},
		{"down, weight 0", Tracker{Name: "down"}, 0, true},
		{"up, weight 0 reverse", Tracker{Name: "up", Reverse: true}, 0, true},
		{"down, weight 0 reverse", Tracker{Name: "down", Reverse: true}, 0, false},
		{"up, +20", Tracker{Name: "up", Weight: 20}, 20, false},
		{"down, +20", Tracker{Name: "down", Weight: 20}, 0, false},
		{"down, -20", Tracker{Name: "down", Weight: -20}, -20, false},
		{"up, -20", Tracker{Name: "up", Weight: -20}, 0, false},
		{"up, +20 reverse", Tracker{Name: "up", Weight: 20, Reverse: true}, -20, false},
		{"down, -20 reverse", Tracker{Name: "down", Weight: -20, Reverse: true}, 20, false},
	} {
		d, f := r.trackState(&inst{spec: InstanceSpec{TrackProcesses: []Tracker{tc.t}}})
		if d != tc.delta || f != tc.fault {
			t.Errorf("%s: delta %d fault %v, want %d %v", tc.name, d, f, tc.delta, tc.fault)
		}
	}
}

// TestProcWatcherDelays is track_process.c's fork_delay and
// terminate_delay: a fork that makes the quorum is reported after
// fork_delay, an exit that breaks it after terminate_delay; a fork while
// the exit's delay runs cancels it (never reported down), an exec is
// reported at once.
func TestProcWatcherDelays(t *testing.T) {
	root := t.TempDir()
	fakeProc(t, root, 10, "gohatpd", "S")
	w := newProcWatcher(root, []TrackProcessSpec{{Name: "d", Process: "gohatpd", Quorum: 2, QuorumMax: 1 << 30,
		ForkDelay: 2 * time.Second, TerminateDelay: 3 * time.Second}})
	w.scan()
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	w.apply(at(0), netio.ProcEvent{Kind: netio.ProcFork, Parent: 10, PID: 11})
	if w.up(0) {
		t.Fatal("up at once after a fork, want after fork_delay")
	}
	if next, ok := w.next(); !ok || !next.Equal(at(2)) {
		t.Fatalf("next delay %v %v, want %v", next, ok, at(2))
	}
	w.expire(at(1.9))
	if w.up(0) {
		t.Fatal("up before fork_delay")
	}
	w.expire(at(2))
	if !w.up(0) {
		t.Fatal("not up after fork_delay")
	}
	w.apply(at(5), netio.ProcEvent{Kind: netio.ProcExit, PID: 11})
	if !w.up(0) {
		t.Fatal("down at once after an exit, want after terminate_delay")
	}
	w.apply(at(6), netio.ProcEvent{Kind: netio.ProcFork, Parent: 10, PID: 12})
	if _, ok := w.next(); ok || !w.up(0) {
		t.Fatal("a fork during terminate_delay: the delay should end, the state stay up")
	}
	w.apply(at(7), netio.ProcEvent{Kind: netio.ProcExit, PID: 12})
	w.expire(at(10))
	if w.up(0) {
		t.Fatal("still up after terminate_delay")
	}
	fakeProc(t, root, 13, "gohatpd", "S")
	w.apply(at(11), netio.ProcEvent{Kind: netio.ProcExec, PID: 13})
	if !w.up(0) {
		t.Fatal("an exec that makes the quorum: not up at once")
	}
}
