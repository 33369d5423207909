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
