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

// fdLimitWant is what the configuration asks of the descriptor limit.
type fdLimitWant struct {
	Maxconn, Maxsock int
	// UlimitN is global ulimit-n (0: maxsock is asked for).
	UlimitN int
	// HardLimit is global fd-hard-limit (0: none): asking for more fails.
	HardLimit int
	// Strict is strict-limits (the default): failing is fatal.
	Strict bool
}

// raiseFDLimit sizes the process's descriptor limit the way HAProxy 2.6
// does at startup: it asks for ulimit-n, or else maxsock (2 x maxconn +
// its reserve); a lower soft limit is raised to that (the hard limit too
// when allowed), a higher one is left alone. Asking for more than
// fd-hard-limit fails as a refused raise does. When that fails,
// strict-limits (the default) is fatal:
//
//	[haproxy.main()] Cannot raise FD limit to 20028, limit is 20000.
//
// ("limit is" the soft limit, or fd-hard-limit when lower), and `no
// strict-limits` raises the soft limit to the hard one (fd-hard-limit does
// not cap it there), says the same as a warning, then alerts (without
// stopping) when that is still below maxsock:
//
//	[haproxy.main()] FD limit (20000) too low for maxconn=10000/maxsock=20028. Please raise 'ulimit-n' to 20028 or more to avoid any trouble.
//
// (Messages and the raise-only behaviour checked against haproxy 2.6.12
// with ulimit -n 1024/20000 and 20000/20000, ulimit-n 500, 4000, 30000 and
// -5, fd-hard-limit 3000 with and without maxconn; a negative ulimit-n is
// a raise to an unsigned huge value that fails, a negative fd-hard-limit
// caps nothing here.) One difference: the Go runtime already raised the
// soft limit to the hard one when the process started, so "limit is"
// names the hard limit where HAProxy may name a lower soft one.
func raiseFDLimit(w fdLimitWant, get func() (fdLimit, error), set func(fdLimit) error) fdLimitOutcome {
	want := w.Maxsock
	if w.UlimitN != 0 {
		want = w.UlimitN
	}
	out := fdLimitOutcome{UlimitN: uint64(want)}
	l, err := get()
	capped := w.HardLimit > 0 && want > w.HardLimit
	if err != nil || want > 0 && l.Cur >= uint64(want) && !capped {
		return out
	}
	if want > 0 && !capped && set(fdLimit{Cur: uint64(want), Max: max(l.Max, uint64(want))}) == nil {
		return out
	}
	if l2, err := get(); err == nil {
		l = l2
	}
	if w.Strict {
		shown := l.Cur
		if w.HardLimit > 0 && shown > uint64(w.HardLimit) {
			shown = uint64(w.HardLimit)
		}
		out.Alerts = append(out.Alerts, fmt.Sprintf("[haproxy.main()] Cannot raise FD limit to %d, limit is %d.", want, shown))
		out.Fatal = true
		return out
	}
	if set(fdLimit{Cur: l.Max, Max: l.Max}) == nil {
		if l2, err := get(); err == nil {
			l = l2
		}
	}
	out.Warnings = append(out.Warnings, fmt.Sprintf("[haproxy.main()] Cannot raise FD limit to %d, limit is %d.", want, l.Cur))
	out.UlimitN = l.Cur
	if l.Cur < uint64(w.Maxsock) {
		out.Alerts = append(out.Alerts, fmt.Sprintf("[haproxy.main()] FD limit (%d) too low for maxconn=%d/maxsock=%d. Please raise 'ulimit-n' to %d or more to avoid any trouble.",
			l.Cur, w.Maxconn, w.Maxsock, w.Maxsock))
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
