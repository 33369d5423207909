package haproxycmd

import (
	"fmt"
	"syscall"
)

// fdLimit is RLIMIT_NOFILE.
type fdLimit struct{ Cur, Max uint64 }

// fdLimitOutcome is what raising the descriptor limit printed and left.
type fdLimitOutcome struct {
	Warnings []string
	Alerts   []string
	Fatal    bool   // strict-limits and the limit could not be raised: exit 1
	UlimitN  uint64 // what `show info` calls Ulimit-n (HAProxy's rlimit_nofile)
}

// raiseFDLimit sizes the process's descriptor limit for maxconn the way
// HAProxy 2.6 does at startup: maxsock = 2 x maxconn + its reserve; a
// lower soft limit is raised to maxsock (the hard limit too when allowed).
// When that fails, strict-limits (the default) is fatal:
//
//	[haproxy.main()] Cannot raise FD limit to 20028, limit is 20000.
//
// and `no strict-limits` raises the soft limit to the hard one, says the
// same as a warning, then alerts (without stopping) when that is still
// below maxsock:
//
//	[haproxy.main()] FD limit (20000) too low for maxconn=10000/maxsock=20028. Please raise 'ulimit-n' to 20028 or more to avoid any trouble.
//
// (Messages and the raise-only behaviour checked against haproxy 2.6.12
// with ulimit -n 1024/20000 and 20000/20000.) One difference: the Go
// runtime already raised the soft limit to the hard one when the process
// started, so "limit is" names the hard limit where HAProxy may name a
// lower soft one.
func raiseFDLimit(maxconn, maxsock int, strict bool, get func() (fdLimit, error), set func(fdLimit) error) fdLimitOutcome {
	out := fdLimitOutcome{UlimitN: uint64(maxsock)}
	l, err := get()
	if err != nil || l.Cur >= uint64(maxsock) {
		return out
	}
	if set(fdLimit{Cur: uint64(maxsock), Max: max(l.Max, uint64(maxsock))}) == nil {
		return out
	}
	if l2, err := get(); err == nil {
		l = l2
	}
	if strict {
		out.Alerts = append(out.Alerts, fmt.Sprintf("[haproxy.main()] Cannot raise FD limit to %d, limit is %d.", maxsock, l.Cur))
		out.Fatal = true
		return out
	}
	if set(fdLimit{Cur: l.Max, Max: l.Max}) == nil {
		if l2, err := get(); err == nil {
			l = l2
		}
	}
	out.Warnings = append(out.Warnings, fmt.Sprintf("[haproxy.main()] Cannot raise FD limit to %d, limit is %d.", maxsock, l.Cur))
	out.UlimitN = l.Cur
	if l.Cur < uint64(maxsock) {
		out.Alerts = append(out.Alerts, fmt.Sprintf("[haproxy.main()] FD limit (%d) too low for maxconn=%d/maxsock=%d. Please raise 'ulimit-n' to %d or more to avoid any trouble.",
			l.Cur, maxconn, maxsock, maxsock))
	}
	return out
}

// The process's own RLIMIT_NOFILE, for raiseFDLimit.
func getFDLimit() (fdLimit, error) {
	var rl syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	return fdLimit{Cur: rl.Cur, Max: rl.Max}, err
}

func setFDLimit(l fdLimit) error {
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: l.Cur, Max: l.Max})
}
