package check

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestDifferentialCheckVarLimits: tune.vars.check-max-size, and
// sess-max-size over the check's own session, beside HAProxy 2.6: a
// variable costs 80 bytes once created plus its string's bytes, a
// variable that cannot be created stays absent, an unset and a replaced
// value give their bytes back, integers cost nothing beyond the
// variable. The bytes each server receives (the variables as send-lf
// prints them) and the check log lines are compared.
func TestDifferentialCheckVarLimits(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	x := func(c string, n int) string { return strings.Repeat(c, n) }
	pong := func() *fakeServer {
		return startFake(t, &fakeServer{need: -1, reply: []byte("+PONG\r\n"), close: true})
	}
	send := `tcp-check send-lf "a=%[var(check.a)] b=%[var(check.b)] c=%[var(check.c)]\r\n"`
	scenario := func(name string, sets ...string) tcpScenario {
		lines := []string{"option tcp-check"}
		for _, s := range sets {
			lines = append(lines, "tcp-check "+s)
		}
		lines = append(lines, send, "tcp-check expect string +PONG")
		return tcpScenario{name: name, lines: lines, srv: pong()}
	}
	t.Run("check-max-size", func(t *testing.T) {
		compareTCPChecksGlobal(t, "    tune.vars.check-max-size 250\n", 250, []tcpScenario{
			// 90 + 140 = 230: c (80 more) is not created
			scenario("create", "set-var(check.a) str("+x("x", 10)+")", "set-var(check.b) str("+x("y", 60)+")", "set-var(check.c) int(1)"),
			// b does not fit beside a; once a is unset it does, and c's 90 bytes after it
			scenario("unset", "set-var(check.a) str("+x("x", 100)+")", "set-var(check.b) int(1)", "unset-var(check.a)",
				"set-var(check.b) int(2)", "set-var(check.c) str("+x("z", 90)+")"),
			// a replaced value's bytes are freed first: 80 + 170 = 250 fits
			scenario("replace", "set-var(check.a) str("+x("x", 150)+")", "set-var(check.a) str("+x("w", 170)+")"),
			// 170 + 80 = 250 exactly: b fits, c is not created
			scenario("exact", "set-var(check.a) str("+x("x", 90)+")", "set-var(check.b) int(5)", "set-var-fmt(check.c) q"),
		})
	})
	t.Run("sess-max-size", func(t *testing.T) {
		compareTCPChecksGlobal(t, "    tune.vars.sess-max-size 200\n    tune.vars.check-max-size 1000\n", VarLimit(1000, 200), []tcpScenario{
			// 90 + 110 = 200; c is not created: the session's limit bites
			scenario("sess", "set-var(check.a) str("+x("x", 10)+")", "set-var(check.b) str("+x("y", 30)+")", "set-var(check.c) int(1)"),
		})
	})
}
