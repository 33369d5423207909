package haproxy

import "fmt"

// VarLimits are the variable size limits of tune.vars.*-max-size, in
// bytes (0: none), as HAProxy 2.6 keeps them (an unsigned int). Check
// caps the variables of a health check run (proxy/check varlimit.go).
// Proc and Global both cap one process-wide count of every variable of
// every scope (HAProxy 2.6 checks both against the same sum), which
// includes 80 bytes for each proc variable the configuration names once
// a limit is set (ProcNames, procnames.go).
type VarLimits struct {
	Txn, ReqRes, Sess, Check, Proc, Global uint32
}

// ProcLimit is the process-wide limit: the smaller of proc-max-size and
// global-max-size that is set (0: none).
func (v VarLimits) ProcLimit() uint32 {
	switch {
	case v.Proc == 0:
		return v.Global
	case v.Global == 0:
		return v.Proc
	}
	return min(v.Proc, v.Global)
}

// Any says whether a limit on the traffic's variables is set.
func (v VarLimits) Any() bool { return v.Txn|v.ReqRes|v.Sess != 0 }

// globalTuneVars reads a tune.vars.*-max-size as HAProxy 2.6's
// vars_max_size does: strtol over the whole first argument ("" is 0,
// "10k" or "0x10" is an invalid size, a negative value wraps), stored
// as an unsigned int; words after it are ignored.
func (s *state) globalTuneVars(g *Global, l *kwLine) {
	n, ok := strtolAll(l.arg(1))
	if !ok {
		s.alert(l.p, "%s: '%s' is an invalid size", l.kw, l.arg(1))
		return
	}
	v := uint32(n)
	switch l.kw {
	case "tune.vars.txn-max-size":
		g.VarLimits.Txn = v
	case "tune.vars.reqres-max-size":
		g.VarLimits.ReqRes = v
	case "tune.vars.sess-max-size":
		g.VarLimits.Sess = v
	case "tune.vars.check-max-size":
		g.VarLimits.Check = v
	case "tune.vars.proc-max-size":
		g.VarLimits.Proc = v
	case "tune.vars.global-max-size":
		g.VarLimits.Global = v
	default:
		panic(fmt.Sprintf("globalTuneVars: %s", l.kw))
	}
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// strtolAll is C's strtol(s, &end, 10) with *end required to be the
// terminating NUL: leading spaces and a sign allowed, "" is 0, the value
// clamped to a long's range (cStrtol after the spaces).
func strtolAll(s string) (int64, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	if i == len(s) {
		return 0, i == 0 // only spaces: strtol reads nothing, end stays at s
	}
	if n, rest := cStrtol(s[i:]); rest == "" {
		return n, true
	}
	return 0, false
}
