package haproxy

import (
	"fmt"
	"testing"
)

// TestParseVarAction: variable action words and HAProxy 2.6's messages
// for them (measured with haproxy -c).
func TestParseVarAction(t *testing.T) {
	const scopeMsg = "invalid variable name '%s'. A variable name must be start by its scope. " +
		"The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'."
	for _, c := range []struct {
		action, verb, name, msg string
		conds                   int
	}{
		{"set-var(txn.ok)", "set-var", "txn.ok", "", 0},
		{"set-var(txn.x.y)", "set-var", "txn.x.y", "", 0},
		{"set-var(check.x)", "set-var", "check.x", "", 0},
		{"set-var(txn.ok,ifexists)", "set-var", "txn.ok", "", 1},
		{"set-var-fmt(txn.f)", "set-var-fmt", "txn.f", "", 0},
		{"unset-var(sess.u)", "unset-var", "sess.u", "", 0},
		{"set-var(foo)", "set-var", "", "invalid variable name 'foo'. A variable name must be start by its scope. " +
			"The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'.", 0},
		{"set-var(bad.foo)", "set-var", "", "", 0},
		{"set-var(txn.)", "set-var", "", "", 0},
		{"set-var(txn.a-b)", "set-var", "", "invalid syntax at char '-b)'.", 0},
		{"set-var(txn.ok,bogus)", "set-var", "", "unknown condition \"bogus\".", 0},
		{"set-var(txn.x", "set-var", "", "incomplete argument after action 'set-var(txn.x'. Expects 'set-var(<var-name>)', " +
			"'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.", 0},
	} {
		va, ok, msg := ParseVarAction(c.action)
		want := c.msg
		if c.name == "" && want == "" {
			name := c.action[len(c.verb)+1 : len(c.action)-1]
			want = fmt.Sprintf(scopeMsg, name)
		}
		if !ok || va.Verb != c.verb || msg != want || (msg == "" && (va.Name != c.name || len(va.Conds) != c.conds)) {
			t.Errorf("%s: got %+v %v %q, want %s %s %q", c.action, va, ok, msg, c.verb, c.name, want)
		}
	}
	if _, ok, _ := ParseVarAction("set-header"); ok {
		t.Error("set-header is no variable action")
	}
}
