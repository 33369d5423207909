package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// recorderScript is a program that records its start (arguments one per
// line, uid, gid, groups, the HAPROXY_* variables) and every SIGUSR1 it gets in <dir>/rec.<name>.<pid>; SIGTERM
// keeps its default action, so the master logs it as "143 (Terminated)".
const recorderScript = `#!/bin/sh
out=%[1]s/rec.$1.$$
rec="start uid=$(id -u) gid=$(id -g) groups=$(id -G)"
env=$(env | grep '^HAPROXY_' | sort)
{ echo $rec; for a in "$@"; do echo "arg<$a>"; done; echo "$env"; } > $out
trap 'echo USR1 >> '$out USR1
[ -n "$FAIL_AFTER" ] && [ "$1" = p1 ] && { sleep $FAIL_AFTER; exit 7; }
while :; do sleep 0.05; done
`

// programRun is what one daemon did with the program sections.
type programRun struct {
	code      int
	ordered   []string // startup and reload lines, in order
	unordered []string // exit lines, sorted (their order is a race)
	records   []string // per program start: name, then what it recorded
}

// runPrograms runs bin -W on cfg, then reload (SIGUSR2) reloads times,
// then SIGTERM unless the master ended by itself.
func runPrograms(t *testing.T, bin, dir, cfg, masterPort string, env []string, reloads int, stop bool) programRun {
	t.Helper()
	// A master that dies by a signal leaves its programs: they are killed
	// (by the PID their record file names) before the next run and at the
	// end, whatever happened.
	killRecorded := func() {
		recs, _ := filepath.Glob(filepath.Join(dir, "rec.*.*"))
		for _, f := range recs {
			if pid, err := strconv.Atoi(filepath.Ext(f)[1:]); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			os.Remove(f)
		}
	}
	killRecorded()
	t.Cleanup(killRecorded)
	t.Logf("running %s", bin)
	m := startPM(t, bin, env, nil, "-W", "-db", "-S", filepath.Join(dir, "m.sock"), "-S", "127.0.0.1:"+masterPort, "-f", cfg)
	m.waitLog(t, `Loading success.`, 10*time.Second)
	waitRecorded(t, m, dir)
	// HAProxy's master loses a signal that comes right after "Loading
	// success." (seen with 2.6.12, TestMasterStopSignals).
	time.Sleep(1500 * time.Millisecond)
	for i := 0; i < reloads; i++ {
		m.cmd.Process.Signal(syscall.SIGUSR2)
		m.waitLog(t, `(?s)(Loading success.*){`+fmt.Sprint(i+2)+`}`, 10*time.Second)
		waitRecorded(t, m, dir)
		time.Sleep(1500 * time.Millisecond)
	}
	if stop {
		m.cmd.Process.Signal(syscall.SIGTERM)
	}
	r := programRun{code: m.exitCode(t, 10*time.Second)}
	master := regexp.MustCompile(`^(\[\w+\] +)\((\d+)\) : (.*)$`)
	mpid := fmt.Sprint(m.cmd.Process.Pid)
	pids := regexp.MustCompile(`\(\d+\)`)
	for _, l := range strings.Split(m.stderr.String(), "\n") {
		sm := master.FindStringSubmatch(l)
		if sm == nil || sm[2] != mpid || strings.Contains(l, "haproxy version") || strings.Contains(l, "path to executable") {
			continue
		}
		l = sm[1] + pids.ReplaceAllString(sm[3], "(N)")
		if strings.Contains(l, "exited with code") || strings.Contains(l, "Exiting") || strings.Contains(l, "exit-on-failure") {
			r.unordered = append(r.unordered, l)
		} else {
			r.ordered = append(r.ordered, l)
		}
	}
	slices.Sort(r.unordered)
	recs, _ := filepath.Glob(filepath.Join(dir, "rec.*"))
	for _, f := range recs {
		b, _ := os.ReadFile(f)
		name := strings.Split(filepath.Base(f), ".")[1]
		// The master's descriptor and the build's version suffix differ.
		rec := regexp.MustCompile(`sockpair@\d+`).ReplaceAllString(string(b), "sockpair@N")
		rec = regexp.MustCompile(`(HAPROXY_STARTUP_VERSION=2\.6\.12)\S*`).ReplaceAllString(rec, "$1")
		r.records = append(r.records, name+": "+strings.ReplaceAll(rec, "\n", " "))
	}
	slices.Sort(r.records)
	return r
}

// waitRecorded waits (5s at most) until every program m says it forked
// has written its start record, so that a signal sent next does not race
// the program's first lines on a loaded machine.
func waitRecorded(t *testing.T, m *pmProc, dir string) {
	t.Helper()
	forked := regexp.MustCompile(`New program '(\w+)' \((\d+)\) forked`)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		missing := 0
		for _, sm := range forked.FindAllStringSubmatch(m.stderr.String(), -1) {
			if b, _ := os.ReadFile(filepath.Join(dir, "rec."+sm[1]+"."+sm[2])); !strings.HasPrefix(string(b), "start") {
				missing++
			}
		}
		if missing == 0 {
			return
		}
	}
	t.Errorf("some forked program wrote no start record in 5s")
}

// TestProgramSectionsMatchHAProxy: the same program sections under
// gohaproxy -W and haproxy -W: programs start before the worker, run
// their command without a shell, are started again on reload (the former
// one getting SIGUSR1 and running on) unless `no option start-on-reload`,
// a failing program stops the master with its exit code, and user/group
// set the program's uid, gid and supplementary groups (run as root).
func TestProgramSectionsMatchHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	testenv.Root(t)
	// Programs running as nobody write their records here: a directory
	// every user reaches (t.TempDir's parent is private).
	dir, err := os.MkdirTemp("", "goha-program")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o1777)
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	script := filepath.Join(dir, "recorder.sh")
	if err := os.WriteFile(script, []byte(fmt.Sprintf(recorderScript, dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	// The quoted words and the ';' reach the program as words: no shell.
	programs := fmt.Sprintf(`    master-worker
    stats socket %[2]s/st.sock
program p1
    command %[1]s p1 "b c" ;x
program p2
    command %[1]s p2
    no option start-on-reload
program p3
    command %[1]s p3
    no option start-on-reload
    option start-on-reload
    group nogroup
program p4
    command %[1]s p4
    user nobody
    group nogroup
program p5
    command %[1]s p5
    user nobody
`, script, dir)
	cases := []struct {
		name    string
		env     []string
		reloads int
		stop    bool
	}{
		{"reload", nil, 2, true},
		{"fail", []string{"FAIL_AFTER=1.5"}, 0, false}, // the other programs start (and record) first, even on a loaded machine
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var runs []programRun
			// One master CLI port for both: HAPROXY_MASTER_CLI names it.
			_, masterPort, _ := strings.Cut(loopback.FreeAddr(t), ":")
			for _, b := range []string{bin, real} {
				cfg := filepath.Join(dir, "p.cfg")
				// pmConfig puts its global argument under "global"; the
				// program sections follow the global lines.
				pmConfig(t, cfg, loopback.FreeAddr(t), be.addr, programs)
				runs = append(runs, runPrograms(t, b, dir, cfg, masterPort, tc.env, tc.reloads, tc.stop))
			}
			g, h := runs[0], runs[1]
			if g.code != h.code {
				t.Errorf("exit code: goha %d, haproxy %d", g.code, h.code)
			}
			for _, c := range []struct {
				what string
				g, h []string
			}{{"ordered lines", g.ordered, h.ordered}, {"exit lines", g.unordered, h.unordered}, {"program records", g.records, h.records}} {
				if !slices.Equal(c.g, c.h) {
					t.Errorf("%s differ:\ngoha:\n%s\nhaproxy:\n%s", c.what, strings.Join(c.g, "\n"), strings.Join(c.h, "\n"))
				}
			}
			if len(h.records) == 0 {
				t.Errorf("no program recorded anything")
			}
		})
	}
}

// TestProgramWithoutMasterWorker: without master-worker mode a program
// section is a fatal error, at -c and at start, as in HAProxy; so are
// options other than start-on-reload, worded as HAProxy's; -W or -Ws is
// master-worker mode as the global keyword is.
func TestProgramWithoutMasterWorker(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	cfg := filepath.Join(dir, "n.cfg")
	os.WriteFile(cfg, []byte("global\nprogram p\n    command /bin/true\n"), 0o644)
	bad := filepath.Join(dir, "o.cfg")
	os.WriteFile(bad, []byte("global\n    master-worker\nprogram p\n    command /bin/true\n    option foo\n    no option\n    no foo\n    option start-on-reload x\n"), 0o644)
	for _, args := range [][]string{{"-c", "-f", cfg}, {"-db", "-f", cfg}, {"-c", "-f", bad}} {
		var outs []string
		for _, b := range []string{bin, real} {
			m := startPM(t, b, nil, nil, args...)
			if code := m.exitCode(t, 10*time.Second); code != 1 {
				t.Errorf("%s %v: exit %d, want 1", b, args, code)
			}
			outs = append(outs, regexp.MustCompile(`\(\d+\)`).ReplaceAllString(regexp.MustCompile(`(?m)^.*(version|path to executable).*\n`).ReplaceAllString(m.stderr.String(), ""), "(N)"))
		}
		if outs[0] != outs[1] || !strings.Contains(outs[0], "program") {
			t.Errorf("%v: goha:\n%s\nhaproxy:\n%s", args, outs[0], outs[1])
		}
	} // -W or -Ws on the command line is master-worker mode too: the file
	// (no bind) is valid.
	for _, flag := range []string{"-W", "-Ws"} {
		var outs []string
		for _, b := range []string{bin, real} {
			m := startPM(t, b, nil, nil, flag, "-c", "-f", cfg)
			outs = append(outs, fmt.Sprint(m.exitCode(t, 10*time.Second), " ", m.stderr.String()))
		}
		if outs[0] != outs[1] || !strings.HasPrefix(outs[0], "0 ") {
			t.Errorf("%s -c: goha %q, haproxy %q", flag, outs[0], outs[1])
		}
	}
}

// TestProgramAccountsCheckMatchHAProxy: a program's user and group at -c
// and at start, as HAProxy words them: a missing or unknown name and an
// extra argument are fatal; a second user (or group) is an alert that
// leaves the file valid.
func TestProgramAccountsCheckMatchHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	for i, body := range []string{
		"user goha-no-such-user",
		"group goha-no-such-group",
		"user\n    group",
		"user nobody x\n    group nogroup y",
		"user nobody\n    user root\n    group nogroup\n    group root",
	} {
		cfg := filepath.Join(dir, fmt.Sprintf("a%d.cfg", i))
		os.WriteFile(cfg, []byte("global\n    master-worker\nprogram p\n    command /bin/true\n    "+body+"\n"), 0o644)
		for _, args := range [][]string{{"-c", "-f", cfg}, {"-db", "-f", cfg}} {
			if args[0] == "-db" && !strings.Contains(body, "no-such") {
				continue // a valid file would start
			}
			var outs []string
			var codes []int
			for _, b := range []string{bin, real} {
				m := startPM(t, b, nil, nil, args...)
				codes = append(codes, m.exitCode(t, 10*time.Second))
				outs = append(outs, regexp.MustCompile(`\(\d+\)`).ReplaceAllString(regexp.MustCompile(`(?m)^.*(version|path to executable).*\n`).ReplaceAllString(m.stderr.String(), ""), "(N)"))
			}
			if outs[0] != outs[1] || codes[0] != codes[1] {
				t.Errorf("%q %v: goha (exit %d):\n%s\nhaproxy (exit %d):\n%s", body, args[0], codes[0], outs[0], codes[1], outs[1])
			}
		}
	}
}
