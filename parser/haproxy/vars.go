package haproxy

import (
	"fmt"
	"strings"
)

// Variable actions: set-var(<name>[,<cond>...]) <expr>,
// set-var-fmt(<name>[,<cond>...]) <fmt> and unset-var(<name>), checked as
// HAProxy 2.6's parse_store (vars.c) does, with its messages.

// VarAction is a variable action split: its verb, the variable's name and
// the conditions after it.
type VarAction struct {
	Verb  string // "set-var", "set-var-fmt" or "unset-var"
	Name  string
	Conds []string
}

// varConditions are the conditions set-var accepts after the name.
var varConditions = map[string]bool{
	"ifexists": true, "ifnotexists": true, "ifempty": true, "ifnotempty": true,
	"ifset": true, "ifnotset": true, "ifgt": true, "iflt": true,
}

// varScopeNames are the scopes a variable name starts with.
var varScopeNames = []string{"proc", "sess", "txn", "req", "res", "check"}

// ParseVarAction splits a variable action word ("set-var(txn.x,ifset)");
// ok is false for other actions; msg is HAProxy's error, or "".
func ParseVarAction(action string) (va VarAction, ok bool, msg string) {
	// HAProxy looks the word up by its prefix: set-varx(...) is a
	// set-var it refuses, and the word must end at its parenthesis.
	for _, verb := range []string{"set-var-fmt", "set-var", "unset-var"} {
		rest, found := strings.CutPrefix(action, verb)
		if !found {
			continue
		}
		va.Verb = verb
		switch {
		case !strings.HasPrefix(rest, "("):
			return va, true, fmt.Sprintf("invalid or incomplete action '%s'. %s.", action, varExpects)
		case !strings.HasSuffix(rest, ")"):
			return va, true, fmt.Sprintf("incomplete argument after action '%s'. %s.", action, varExpects)
		case verb == "unset-var" && strings.Contains(rest, ","):
			return va, true, `unset-var does not expect parameters after the variable name. Only "set-var" and "set-var-fmt" manage conditions.`
		}
		return va, true, va.parse(rest[1:])
	}
	return va, false, ""
}

// varExpects ends HAProxy's messages about a variable action's word.
const varExpects = "Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"

// parse reads what is inside the parentheses, the closing one included.
func (va *VarAction) parse(rest string) string {
	end := len(rest) - 1
	i := 0
	for i < end && isVarNameChar(rest[i]) {
		i++
	}
	if i < end && rest[i] != ',' {
		return fmt.Sprintf("invalid syntax at char '%s'.", rest[i:])
	}
	va.Name = rest[:i]
	if m := CheckVarName(va.Name); m != "" {
		return m + "."
	}
	if i < end {
		for _, c := range strings.Split(rest[i+1:end], ",") {
			if !varConditions[c] {
				return fmt.Sprintf("unknown condition \"%s\".", c)
			}
			va.Conds = append(va.Conds, c)
		}
	}
	return ""
}

func isVarNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
}

// CheckVarName is HAProxy's check of a variable name: a known scope, a
// dot and a name; the message ("" when valid) has no final period.
func CheckVarName(name string) string {
	for _, sc := range varScopeNames {
		if r, ok := strings.CutPrefix(name, sc+"."); ok && r != "" {
			return ""
		}
	}
	return fmt.Sprintf("invalid variable name '%s'. A variable name must be start by its scope. "+
		"The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", name)
}

// checkVarRule checks the arguments of a variable action; raw is set
// when HAProxy's message has the short "parsing [file:line]:" form.
func checkVarRule(kw string, r HTTPRule) (msg string, raw bool) {
	va, ok, msg := ParseVarAction(r.Action)
	if !ok || msg != "" {
		return msg, false
	}
	want := 1
	if va.Verb == "unset-var" {
		want = 0
	}
	switch {
	case len(r.Args) > want:
		return fmt.Sprintf("'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.",
			kw, r.Action, r.Args[want]), true
	case len(r.Args) < want && va.Verb == "set-var":
		return "missing fetch method.", false
	}
	return "", false
}

// GlobalSetVar is a global `set-var <name> <expr>` or `set-var-fmt <name>
// <fmt>`: a proc variable set once, when the configuration is loaded.
type GlobalSetVar struct {
	Pos  Pos
	Fmt  bool   // set-var-fmt: Expr is a log-format string
	Name string // "proc.<name>"
	Expr string
}

// globalSetVar reads a global set-var/set-var-fmt line; only the proc
// scope is allowed there, as in HAProxy 2.6. What the expression may read
// is checked by whoever compiles it.
func (s *state) globalSetVar(g *Global, l *kwLine) {
	if len(l.w) != 3 {
		s.globalUnsupported(g, l)
		return
	}
	name := l.w[1]
	if msg := CheckVarName(name); msg != "" {
		s.alert(l.p, "'%s': %s.", l.kw, msg)
		return
	}
	if !strings.HasPrefix(name, "proc.") {
		s.alert(l.p, "'%s': cannot set variable '%s', only scope 'proc' is permitted in the global section.", l.kw, name)
		return
	}
	g.SetVars = append(g.SetVars, GlobalSetVar{Pos: l.p, Fmt: l.kw == "set-var-fmt", Name: name, Expr: l.w[2]})
}
