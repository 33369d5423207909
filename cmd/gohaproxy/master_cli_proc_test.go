package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestShowProcProgramsMatchHAProxy: the master CLI's "show proc" lists the
// programs and, after reloads, the former ones still running (these
// ignore SIGUSR1), with their reload counts, in HAProxy 2.6.12's order.
func TestShowProcProgramsMatchHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	const prog = `    command /bin/sh -c "trap '' USR1; while :; do sleep 0.2; done"`
	run := func(exe, name string) string {
		cfg := filepath.Join(dir, name+".cfg")
		pmConfig(t, cfg, loopback.FreeAddr(t), be.addr, "    master-worker")
		f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "program p1\n%s\nprogram p2\n%s\n    no option start-on-reload\n", prog, prog)
		f.Close()
		sock := filepath.Join(dir, name+".sock")
		m := startPM(t, exe, nil, nil, "-W", "-db", "-S", sock, "-f", cfg)
		// The programs are killed by pid whatever happens to the master.
		pids := regexp.MustCompile(`New program '\w+' \((\d+)\) forked`)
		t.Cleanup(func() {
			for _, sm := range pids.FindAllStringSubmatch(m.stderr.String(), -1) {
				if pid, _ := strconv.Atoi(sm[1]); pid > 1 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		})
		var out []string
		for i := 1; i <= 3; i++ {
			m.waitLog(t, `(?s)(Loading success.*){`+strconv.Itoa(i)+`}`, 10*time.Second)
			// HAProxy's master sets its signal handlers late after a load;
			// the former worker is gone from the list by then.
			time.Sleep(1500 * time.Millisecond)
			proc := afterReload(t, sock, []string{"show proc"})
			proc = regexp.MustCompile(`(?m)^\d+ +`).ReplaceAllString(proc, "PID ")
			proc = regexp.MustCompile(`\d+d\d\dh\d\dm\d\ds`).ReplaceAllString(proc, "UPTIME")
			out = append(out, regexp.MustCompile(`2\.6\.12\S* *`).ReplaceAllString(proc, "VERSION"))
			if i < 3 {
				m.cmd.Process.Signal(syscall.SIGUSR2)
			}
		}
		return strings.Join(out, "----\n")
	}
	want := run(real, "haproxy")
	if got := run(bin, "goha"); got != want {
		t.Errorf("show proc:\ngohaproxy %q\nhaproxy   %q", got, want)
	}
}
