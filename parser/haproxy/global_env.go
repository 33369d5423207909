package haproxy

import (
	"fmt"
	"strings"
)

// EnvOp is one global setenv, presetenv, unsetenv or resetenv line as
// HAProxy 2.6 applies it to its environment while it reads the file: Args
// are the keyword and the arguments it used (an unsetenv that failed part
// way keeps the names it unset before failing).
type EnvOp struct {
	Pos  Pos
	Args []string
}

// isEnvKeyword says whether a global keyword changes the environment.
func isEnvKeyword(kw string) bool {
	switch kw {
	case "setenv", "presetenv", "unsetenv", "resetenv":
		return true
	}
	return false
}

// validEnvName is glibc's check in setenv(3)/unsetenv(3): a name is not
// empty and holds no '=' (EINVAL otherwise).
func validEnvName(n string) bool { return n != "" && !strings.Contains(n, "=") }

// envOpOf is what HAProxy 2.6's global parser does with an environment
// line w (w[0] the keyword): the part it applies (nil: nothing) and its
// alert text ("" none). The checks and words are cfgparse-global.c's
// (checked with haproxy -c 2.6.12).
func envOpOf(w []string) (op []string, alert string) {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch w[0] {
	case "setenv", "presetenv":
		if len(w) > 4 && w[4] != "" {
			return nil, fmt.Sprintf("'%s' cannot handle unexpected argument '%s'.", w[0], w[4])
		}
		if arg(2) == "" {
			return nil, fmt.Sprintf("'%s' expects a name and a value.", w[0])
		}
		if !validEnvName(w[1]) {
			return nil, fmt.Sprintf("'%s' failed on variable '%s' : Invalid argument.", w[0], w[1])
		}
		return []string{w[0], w[1], w[2]}, ""
	case "unsetenv":
		if arg(1) == "" {
			return nil, fmt.Sprintf("'%s' expects at least one variable name.", w[0])
		}
		op = []string{w[0]}
		for _, n := range w[1:] {
			if n == "" {
				break // HAProxy's argument list ends at the first empty word
			}
			if !validEnvName(n) {
				return op, fmt.Sprintf("'%s' failed on variable '%s' : Invalid argument.", w[0], n)
			}
			op = append(op, n)
		}
		return op, ""
	case "resetenv":
		op = []string{w[0]}
		for _, n := range w[1:] {
			if n == "" {
				break
			}
			op = append(op, n)
		}
		return op, ""
	}
	return nil, ""
}

// envAfter is the value of variable name once ops have run over base:
// the environment HAProxy's later lines (and its env() fetch) see.
func envAfter(base Env, ops []EnvOp, name string) (string, bool) {
	var v string
	var ok bool
	if base != nil {
		v, ok = base(name)
	}
	for _, op := range ops {
		a := op.Args
		switch a[0] {
		case "setenv":
			if a[1] == name {
				v, ok = a[2], true
			}
		case "presetenv":
			if a[1] == name && !ok {
				v, ok = a[2], true
			}
		case "unsetenv":
			if contains(a[1:], name) {
				v, ok = "", false
			}
		case "resetenv":
			if !contains(a[1:], name) {
				v, ok = "", false
			}
		}
	}
	return v, ok
}

// envState is the environment as the files are read: the caller's Env
// and the environment lines met so far, in order.
type envState struct {
	base Env
	ops  []EnvOp
	// cmdlinePeer is -L, which makes HAProxy ignore "localpeer" lines;
	// peers is set once a peers section was met: later ones are ignored.
	cmdlinePeer, peers bool
}

// lookup is the environment after every line read so far.
func (e *envState) lookup(name string) (string, bool) { return envAfter(e.base, e.ops, name) }

// lookupAt is the environment as line p of the file being parsed saw it
// (the pre-pass read the whole file first: later lines are left out).
func (e *envState) lookupAt(p Pos, name string) (string, bool) {
	n := len(e.ops)
	for n > 0 && e.ops[n-1].Pos.File == p.File && e.ops[n-1].Pos.Line >= p.Line {
		n--
	}
	return envAfter(e.base, e.ops[:n], name)
}

// note records an environment line met by the pre-pass in the global
// section (words as tokenized; a leading "no" is refused by the keyword
// parser, which then runs the rest, so it runs here too).
func (e *envState) note(p Pos, w []string) {
	if len(w) > 1 && w[0] == "no" {
		w = w[1:]
	}
	if w[0] == "localpeer" {
		if op := localPeerOp(w); op != nil && !e.cmdlinePeer && !e.peers {
			e.ops = append(e.ops, EnvOp{Pos: p, Args: op})
		}
		return
	}
	if !isEnvKeyword(w[0]) {
		return
	}
	if op, _ := envOpOf(w); op != nil {
		e.ops = append(e.ops, EnvOp{Pos: p, Args: op})
	}
}

// globalEnv reports an environment line and keeps what it applied for
// the runtime, which applies the same lines to its process environment
// (the env() fetch and `show env` read it).
func (s *state) globalEnv(g *Global, l *kwLine) {
	op, alert := envOpOf(l.w)
	if op != nil {
		g.EnvOps = append(g.EnvOps, EnvOp{Pos: l.p, Args: op})
	}
	if alert == "" {
		return
	}
	if strings.HasPrefix(alert, "'"+l.kw+"' cannot handle") {
		s.alert(l.p, "%s", alert)
		return
	}
	s.alertRaw(l.p.File, l.p.Line, alert)
	s.fileFatal = true
}

// globalLocalPeer keeps a global "localpeer" line, which in HAProxy 2.6
// also sets HAPROXY_LOCALPEER in the environment as it is read (2.6.12
// -c: a later "${HAPROXY_LOCALPEER}" reads the new name).
func (s *state) globalLocalPeer(g *Global, l *kwLine) {
	s.globalKeepRaw(g, l)
	if op := localPeerOp(l.w); op != nil {
		g.EnvOps = append(g.EnvOps, EnvOp{Pos: l.p, Args: op})
	}
}

// localPeerOp is the environment change of a "localpeer" line, nil for
// one HAProxy refuses before setting anything.
func localPeerOp(w []string) []string {
	if len(w) != 2 || w[1] == "" {
		return nil
	}
	return []string{"setenv", "HAPROXY_LOCALPEER", w[1]}
}

// peersDeclared says whether a peers section came before the line being
// parsed: from then on HAProxy ignores "localpeer".
func (s *state) peersDeclared() bool {
	for _, o := range s.cfg.Others {
		if o.Kind == "peers" {
			return true
		}
	}
	return false
}
