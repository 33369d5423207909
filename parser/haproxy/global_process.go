package haproxy

import (
	"fmt"
	"time"
)

// Handlers of the global keywords of the process model (daemon,
// master-worker, pidfile, chroot, accounts, limits, checks spread, stop);
// rows in globalKeywordTable.

func (s *state) globalDaemon(g *Global, l *kwLine) {
	g.Daemon = true
}

func (s *state) globalNoReusePort(g *Global, l *kwLine) {
	g.NoReusePort = true
}

func (s *state) globalMasterWorker(g *Global, l *kwLine) {
	if len(l.w) > 1 && l.w[1] != "no-exit-on-failure" {
		s.alert(l.p, "'master-worker' only supports 'no-exit-on-failure' option.")
		return
	}
	g.MasterWorker = true
	if len(l.w) > 1 {
		// the master always stops with its current worker
		g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
		s.d.Unsupported(l.p.File, l.p.Line, "master-worker "+l.w[1])
	}
}

func (s *state) globalPidfile(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alert(l.p, "'pidfile' expects a file name as an argument.")
		return
	}
	if len(l.w) > 2 {
		s.alert(l.p, "'pidfile' cannot handle unexpected argument '%s'.", l.w[2])
		return
	}
	g.Pidfile = l.arg(1)
}

func (s *state) globalChroot(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alert(l.p, "'chroot' expects a directory as an argument.")
		return
	}
	g.Chroot = l.arg(1)
}

// globalAccount is uid, gid, user and group. HAProxy keeps the first
// non-zero id of user/uid (group/gid) and alerts, without failing, at any
// later one.
func (s *state) globalAccount(g *Global, l *kwLine) {
	p, kw, arg := l.p, l.kw, l.arg
	isUser := kw == "uid" || kw == "user"
	if isUser && s.uidSet || !isUser && s.gidSet {
		if isUser {
			s.d.Alertf(p.File, p.Line, "user/uid already specified. Continuing.")
		} else {
			s.d.Alertf(p.File, p.Line, "gid/group was already specified. Continuing.")
		}
		return
	}
	switch kw {
	case "uid", "gid":
		if arg(1) == "" {
			s.alert(p, "'%s' expects an integer argument.", kw)
			return
		}
		n, end, ok := leadingInt(arg(1))
		if !ok || end != len(arg(1)) {
			// Not a number: a warning, the id stays unset (HAProxy 2.6).
			x := s.d.Raw(Warning, p.File, p.Line, "config : "+at(p.File, p.Line)+
				fmt.Sprintf(" %s: string '%s' is not a number.", kw, arg(1)))
			named := map[string]string{"uid": "user", "gid": "group"}[kw]
			x.Extra = []string{"   | You might want to use the '" + named + "' parameter to use a system " + named + " name."}
			return
		}
		if kw == "uid" {
			g.UID, g.User, s.uidSet = &n, "", n != 0
		} else {
			g.GID, g.Group, s.gidSet = &n, "", n != 0
		}
	case "user":
		g.UID, g.User = nil, arg(1)
		if !s.lookups.user(g.User) {
			s.alert(p, "cannot find user id for '%s' (0:Success)", g.User)
		}
		s.uidSet = g.User != "root" // root is id 0, which HAProxy takes as unset
	case "group":
		g.GID, g.Group = nil, arg(1)
		if !s.lookups.group(g.Group) {
			s.alert(p, "cannot find group id for '%s' (0:Success)", g.Group)
		}
		s.gidSet = g.Group != "root"
	}
}

func (s *state) globalMaxconnNbthread(g *Global, l *kwLine) {
	p, kw, arg := l.p, l.kw, l.arg
	if _, end, ok := leadingInt(arg(1)); kw == "nbthread" && (!ok || end != len(arg(1))) {
		s.alert(p, "'nbthread' passed a missing or unparsable integer value in '%s'", arg(1))
		return
	}
	if arg(1) == "" {
		s.alert(p, "'%s' expects an integer argument.", kw)
		return
	}
	n, _, _ := leadingInt(arg(1))
	if kw == "nbthread" && (n < 1 || n > 64) {
		s.alert(p, "'nbthread' value must be between 1 and 64 (was %d)", n)
		return
	}
	if kw == "maxconn" {
		g.Maxconn = n
	} else {
		g.Nbthread = n
	}
}

func (s *state) globalSpreadChecks(g *Global, l *kwLine) {
	if n, _, _ := leadingInt(l.arg(1)); n < 0 || n > 50 {
		s.alertRaw(l.p.File, l.p.Line, "'spread-checks' needs a positive value in range 0..50.")
		s.fileFatal = true
		return
	}
	g.SpreadChecks, _, _ = leadingInt(l.arg(1)) // honoured by proxy/check
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// globalMaxSpreadChecks is `max-spread-checks <delay>`: the most the
// first checks are spread over at start-up (proxy/check Runner.Start),
// with HAProxy 2.6's messages.
func (s *state) globalMaxSpreadChecks(g *Global, l *kwLine) {
	v := l.arg(1)
	d, bad, err := ParseTime(v)
	switch {
	case len(l.w) > 2:
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	case v == "":
		s.alertRaw(l.p.File, l.p.Line, "'max-spread-checks' expects an integer argument (0..50).")
	case err == errTimeOverflow:
		s.alertRaw(l.p.File, l.p.Line, fmt.Sprintf("timer overflow in argument <%s> to <max-spread-checks>, maximum value is 2147483647 ms (~24.8 days).", v))
	case err != nil:
		s.alertRaw(l.p.File, l.p.Line, fmt.Sprintf("unsupported character '%c' in 'max-spread-checks' (wants an integer delay).", v[bad]))
	default:
		s.timerWarn(l.p, v)
		g.MaxSpreadChecks = d.Truncate(time.Millisecond)
		return
	}
	s.fileFatal = true
}

func (s *state) globalHardStopAfter(g *Global, l *kwLine) {
	if _, bad, err := ParseTime(l.arg(1)); err != nil && l.arg(1) != "" {
		s.alert(l.p, "unexpected character '%c' in argument to <hard-stop-after>.", l.arg(1)[bad])
		return
	}
	s.timerWarn(l.p, l.arg(1))
	// Honoured by the master (internal/haproxycmd/master.go reads it from Raw).
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

func (s *state) globalNosplice(g *Global, l *kwLine) {
	g.NoSplice = true // proxy.Config.NoSplice
}

func (s *state) globalH2NoConnectProtocol(g *Global, l *kwLine) {
	g.H2NoConnectProtocol = true // h2.Settings.NoConnectProtocol
}

func (s *state) globalNode(g *Global, l *kwLine) {
	if !validNodeName(l.arg(1)) {
		s.alertRaw(l.p.File, l.p.Line, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).")
		s.fileFatal = true
		return
	}
	g.Node = l.arg(1) // `show info` node (the host name by default)
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}
