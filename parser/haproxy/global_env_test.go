package haproxy

import (
	"fmt"
	"strings"
	"testing"
)

func TestEnvAfter(t *testing.T) {
	base := func(n string) (string, bool) {
		v, ok := map[string]string{"HOME": "/root", "EMPTY": ""}[n]
		return v, ok
	}
	op := func(w ...string) EnvOp { return EnvOp{Args: w} }
	for _, tc := range []struct {
		ops    []EnvOp
		name   string
		want   string
		wantOK bool
	}{
		{nil, "HOME", "/root", true},
		{[]EnvOp{op("setenv", "HOME", "x")}, "HOME", "x", true},
		{[]EnvOp{op("presetenv", "HOME", "x")}, "HOME", "/root", true},
		{[]EnvOp{op("presetenv", "EMPTY", "x")}, "EMPTY", "", true}, // set, even empty
		{[]EnvOp{op("presetenv", "NEW", "x")}, "NEW", "x", true},
		{[]EnvOp{op("unsetenv", "A", "HOME")}, "HOME", "", false},
		{[]EnvOp{op("unsetenv", "HOME"), op("presetenv", "HOME", "y")}, "HOME", "y", true},
		{[]EnvOp{op("setenv", "A", "1"), op("resetenv", "B")}, "A", "", false},
		{[]EnvOp{op("resetenv", "HOME")}, "HOME", "/root", true},
		{[]EnvOp{op("resetenv"), op("setenv", "A", "2")}, "A", "2", true},
	} {
		v, ok := envAfter(base, tc.ops, tc.name)
		if v != tc.want || ok != tc.wantOK {
			t.Errorf("%v %s: %q %v, want %q %v", tc.ops, tc.name, v, ok, tc.want, tc.wantOK)
		}
	}
}

func TestEnvOpOf(t *testing.T) {
	for _, tc := range []struct {
		line, op, alert string
	}{
		{"setenv A 1", "setenv A 1", ""},
		{"setenv A 1 ignored", "setenv A 1", ""},
		{"setenv A 1 x y", "", "'setenv' cannot handle unexpected argument 'y'."},
		{"presetenv A", "", "'presetenv' expects a name and a value."},
		{"setenv A=B 1", "", "'setenv' failed on variable 'A=B' : Invalid argument."},
		{"unsetenv", "", "'unsetenv' expects at least one variable name."},
		{"unsetenv A B=C D", "unsetenv A", "'unsetenv' failed on variable 'B=C' : Invalid argument."},
		{"resetenv", "resetenv", ""},
		{"resetenv A B", "resetenv A B", ""},
	} {
		op, alert := envOpOf(strings.Fields(tc.line))
		if strings.Join(op, " ") != tc.op || alert != tc.alert {
			t.Errorf("%q: %q %q, want %q %q", tc.line, op, alert, tc.op, tc.alert)
		}
	}
}

// A line sees the environment as the lines before it left it, also in a
// bind address, which the keyword parser expands once more.
func TestEnvLinesInOrder(t *testing.T) {
	cfg := "global\n    setenv P 8080\n    .notice \"p=${P}\"\n    setenv P 8081\n" +
		"listen l\n    bind \"127.0.0.1:${P}\"\n    bind 127.0.0.1:$Q\n    mode tcp\n    server s 127.0.0.1:1\n" +
		"global\n    setenv Q 9000\n"
	res := CheckBytes("t.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
	var notes []string
	for _, d := range res.Diags.List {
		notes = append(notes, d.Text)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "'p=8080'") {
		t.Errorf("notice: %q", notes)
	}
	var binds []string
	for _, p := range res.Config.Proxies {
		for _, b := range p.Binds {
			for _, a := range b.Addrs {
				binds = append(binds, fmt.Sprintf("%s:%d", a.Host, a.PortLow))
			}
		}
	}
	if strings.Join(binds, " ") != "127.0.0.1:8081" || res.Exit != 1 {
		t.Errorf("binds %q exit %d (a later setenv Q must not reach the bind above it)", binds, res.Exit)
	}
	if n := len(res.Config.Global.EnvOps); n != 3 {
		t.Errorf("%d env ops, want 3", n)
	}
}
