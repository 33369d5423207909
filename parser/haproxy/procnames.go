package haproxy

import (
	"regexp"
	"strings"
)

// The proc variables a configuration names. HAProxy 2.6 creates each
// proc variable when the parser first meets its name (a var() fetch, a
// variable action or converter, a converter's variable argument, a
// global set-var), permanently: once tune.vars.proc-max-size or
// global-max-size is set, each costs 80 bytes of the process-wide count
// for the process's life (unset-var frees only its value), and a name
// that no longer fits makes its line an error (measured on 2.6.12).

// ProcName is a proc variable's name, where the configuration first
// names it, and whether a process-wide limit was set by then (a name met
// before costs nothing: HAProxy counts only under a limit).
type ProcName struct {
	Name    string
	Pos     Pos
	Counted bool
}

// procNameRe finds the proc variable names of a word: those a
// parenthesis or a comma opens (var(proc.x), set-var(proc.x),
// add(proc.x), ...). It may find a name HAProxy reads as a plain string
// (str(proc.x)): the runtime adapter compares them with the variables it
// compiles and refuses a difference.
var procNameRe = regexp.MustCompile(`[(,](proc\.[A-Za-z0-9_.]+)`)

// noteProcNames records the proc variable names of a statement's words,
// in the order the parser meets them.
func (s *state) noteProcNames(p Pos, w []string) {
	for i, word := range w {
		if !strings.Contains(word, "proc.") {
			continue
		}
		if i == 1 && (w[0] == "set-var" || w[0] == "set-var-fmt") {
			s.noteProcName(p, word) // the global section's set-var <name>
		}
		for _, m := range procNameRe.FindAllStringSubmatch(word, -1) {
			s.noteProcName(p, m[1])
		}
	}
}

func (s *state) noteProcName(p Pos, name string) {
	g := &s.cfg.Global
	for _, n := range g.ProcNames {
		if n.Name == name {
			return
		}
	}
	limit := g.VarLimits.ProcLimit()
	if limit != 0 {
		size := uint64(procNameCost)
		for _, n := range g.ProcNames {
			if n.Counted {
				size += procNameCost
			}
		}
		if size > uint64(limit) {
			// HAProxy's parser fails the rule, fetch or converter that
			// names it, each with its own words: this one says why.
			s.alert(p, "proc variable '%s' cannot be created: its %d bytes do not fit in tune.vars.proc-max-size/global-max-size (%d bytes).",
				name, procNameCost, limit)
			return
		}
	}
	g.ProcNames = append(g.ProcNames, ProcName{Name: name, Pos: p, Counted: limit != 0})
}

// procNameCost is what a proc variable takes once created: HAProxy
// 2.6's sizeof(struct var) on 64-bit.
const procNameCost = 80
