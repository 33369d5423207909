package haproxy

import "testing"

// The counter IDs HAProxy 2.6 reads from the forms it accepts (strtol:
// text after the closing parenthesis ignored, no digits read 0).
func TestParseCounterWordIDs(t *testing.T) {
	for _, c := range []struct {
		word, verb string
		idx, sc    int
	}{
		{"sc-inc-gpc0", "sc-inc-gpc0", 0, 0},
		{"sc-inc-gpc1(2)", "sc-inc-gpc1", 0, 2},
		{"sc-inc-gpc0(1)x", "sc-inc-gpc0", 0, 1},
		{"sc-inc-gpc0()", "sc-inc-gpc0", 0, 0},
		{"sc-inc-gpc(3,1)", "sc-inc-gpc", 3, 1},
		{"sc-inc-gpc(0,1)x", "sc-inc-gpc", 0, 1},
		{"sc-inc-gpc(,)", "sc-inc-gpc", 0, 0},
		{"sc-inc-gpc0(+2)", "sc-inc-gpc0", 0, 2},
		{"sc-set-gpt0(1)x", "sc-set-gpt0", 0, 1},
		{"sc-set-gpt(2,2)", "sc-set-gpt", 2, 2},
	} {
		a, ok, msg := ParseSCAction(c.word, []string{"1"})
		if !ok || msg != "" || a.Verb != c.verb || a.Index != c.idx || a.SC != c.sc {
			t.Errorf("%s: %+v ok=%v msg=%q, want %s idx %d sc %d", c.word, a, ok, msg, c.verb, c.idx, c.sc)
		}
	}
	// A negative counter ID, which HAProxy 2.6 takes and then reads
	// outside its counters, is refused.
	for _, w := range []string{"sc-inc-gpc0(-1)", "sc-inc-gpc(1,-1)", "sc-set-gpt0(-1)"} {
		if _, ok, msg := ParseSCAction(w, []string{"1"}); !ok || msg == "" {
			t.Errorf("%s: accepted", w)
		}
	}
}

// TestCStrtol: C's strtol base 10, whole (strtolAll, tune.vars.*) or at
// the start of a word (cStrtol, the counter words), clamped to a long.
func TestCStrtol(t *testing.T) {
	for _, tc := range []struct {
		in    string
		all   int64
		allOK bool
		head  int64
		rest  string
	}{
		{"", 0, true, 0, ""},
		{"   ", 0, false, 0, "   "},
		{"+", 0, false, 0, "+"},
		{"12", 12, true, 12, ""},
		{" -7", -7, true, 0, " -7"},
		{"3)", 0, false, 3, ")"},
		{"9223372036854775808", 1<<63 - 1, true, 1<<63 - 1, ""},
		{"-9223372036854775808", -1 << 63, true, -1 << 63, ""},
		{"-99999999999999999999,1", 0, false, -1 << 63, ",1"},
	} {
		if n, ok := strtolAll(tc.in); n != tc.all || ok != tc.allOK {
			t.Errorf("strtolAll(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.all, tc.allOK)
		}
		if n, rest := cStrtol(tc.in); n != tc.head || rest != tc.rest {
			t.Errorf("cStrtol(%q) = %d, %q; want %d, %q", tc.in, n, rest, tc.head, tc.rest)
		}
	}
}
