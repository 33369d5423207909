package haproxy

import (
	"strings"
	"testing"
)

// "no <keyword>" in global: HAProxy 2.6 takes the prefix on a few flags
// only (wording checked against haproxy -c).
func TestGlobalNoPrefix(t *testing.T) {
	for _, tc := range []struct {
		line  string
		exit  int
		alert string
		raw   string
	}{
		{line: "no strict-limits", raw: "no strict-limits"},
		{line: "strict-limits", raw: "strict-limits"},
		{line: "no busy-polling", raw: "no busy-polling"},
		{line: "no daemon", exit: 1, alert: "t.cfg:2]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping."},
		{line: "no strict-limits x", exit: 1, alert: "'strict-limits' cannot handle unexpected argument 'x'."},
	} {
		res := checkString(t, "global\n    "+tc.line+"\nlisten l\n    bind 127.0.0.1:8080\n    mode tcp\n    server s 127.0.0.1:1\n")
		if res.Exit != tc.exit {
			t.Errorf("%q: exit %d, want %d (%+v)", tc.line, res.Exit, tc.exit, res.Diags.List)
			continue
		}
		if tc.alert != "" {
			found := false
			for _, d := range res.Diags.List {
				found = found || (d.Severity == Alert && strings.Contains(d.Text, tc.alert))
			}
			if !found {
				t.Errorf("%q: no alert %q in %+v", tc.line, tc.alert, res.Diags.List)
			}
			continue
		}
		var raws []string
		for _, st := range res.Config.Global.Raw {
			raws = append(raws, strings.Join(st.Args, " "))
		}
		if strings.Join(raws, "|") != tc.raw {
			t.Errorf("%q: global raw %q, want %q", tc.line, raws, tc.raw)
		}
	}
}

// hash-balance-factor (inherited from defaults) and spread-checks are typed
// and honoured by the runtime: no "not supported" notice.
func TestHonouredTuningTyped(t *testing.T) {
	res := checkString(t, "global\n    spread-checks 7\ndefaults\n    mode http\n    hash-balance-factor 150\n"+
		"backend b\n    balance uri\n    server s 127.0.0.1:1\nbackend c\n    hash-balance-factor 0\n    server s 127.0.0.1:1\n")
	if res.Exit == 1 { // 2: no listener, fine here
		t.Fatalf("exit %d: %+v", res.Exit, res.Diags.List)
	}
	for _, d := range res.Diags.List {
		if d.Goha {
			t.Errorf("notice: %s", d.Text)
		}
	}
	if res.Config.Global.SpreadChecks != 7 {
		t.Errorf("spread-checks %d", res.Config.Global.SpreadChecks)
	}
	got := map[string]int{}
	for _, px := range res.Config.Backends {
		got[px.Name] = px.HashBalanceFactor
	}
	if got["b"] != 150 || got["c"] != 0 {
		t.Errorf("hash-balance-factor %v", got)
	}
}

// `no log` in global forgets the targets declared before it.
func TestGlobalNoLog(t *testing.T) {
	res := checkString(t, "global\n    log 127.0.0.1 local0\n    no log\n    log 127.0.0.2 local1\nlisten l\n    bind 127.0.0.1:8080\n    mode tcp\n    server s 127.0.0.1:1\n")
	if res.Exit == 1 {
		t.Fatalf("rejected: %+v", res.Diags.List)
	}
	if logs := res.Config.Global.Logs; len(logs) != 1 || logs[0].Address != "127.0.0.2" {
		t.Errorf("global logs %+v", logs)
	}
}
