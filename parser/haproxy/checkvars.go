package haproxy

import "fmt"

// Variable actions of health checks: `tcp-check` and `http-check`
// set-var(<name>) <expr>, set-var-fmt(<name>) <fmt> and unset-var(<name>).
// The parser types them into CheckStep.Var; proxy/check evaluates them in
// rule order, in the scope of one check run.

// CheckVar is a check rule's variable action.
type CheckVar struct {
	Verb  string   // "set-var", "set-var-fmt" or "unset-var"
	Name  string   // the full name, scope included ("check.x")
	Conds []string // the conditions after the name (proxy/check refuses them)
	Expr  string   // set-var: a sample expression; set-var-fmt: a log-format string
}

// checkVarStep types a set-var*/unset-var check line (words after the
// keyword). alert is HAProxy's message ("" when it accepts the line); a
// form goha cannot run is left in st.Invalid by proxy/check.
func (st *CheckStep) checkVarStep(kw string, words []string) (alert string) {
	va, ok, msg := ParseVarAction(words[0])
	if !ok {
		return ""
	}
	st.Kind = StepSetVar
	if msg != "" {
		return fmt.Sprintf("'%s %s' : '%s' : %s", kw, words[0], va.Verb, msg)
	}
	st.Var = CheckVar{Verb: va.Verb, Name: va.Name, Conds: va.Conds}
	if va.Verb != "unset-var" {
		if len(words) < 2 {
			return fmt.Sprintf("'%s %s' : '%s' : missing fetch method.", kw, words[0], va.Verb)
		}
		// HAProxy reads one word and ignores the rest of the line
		st.Var.Expr = words[1]
	}
	return ""
}

// CheckVarAlert is HAProxy's -c message for a tcp-check or http-check
// variable line whose name or arguments it refuses ("" otherwise).
func CheckVarAlert(w []string) string {
	if len(w) < 2 {
		return ""
	}
	var st CheckStep
	return st.checkVarStep(w[0], w[1:])
}
