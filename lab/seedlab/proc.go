package seedlab

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/goha-lb/goha/lab"
)

// pidAlive reports whether pid runs. A zombie counts as dead: a daemon that
// forked away from us is reparented to a PID 1 that may never reap it.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, _, ok := lab.ProcStat(pid)
	return ok && state != 'Z' && state != 'X'
}

// readPidfile returns the pid in a pidfile, 0 if absent or unreadable.
func readPidfile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	return pid
}
