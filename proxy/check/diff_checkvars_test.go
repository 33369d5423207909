package check

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestDifferentialTCPCheckVars runs tcp-check rulesets with check-scope
// variables (set-var, set-var-fmt, unset-var, read by send-lf,
// send-binary-lf and expect string-lf/binary-lf) under the real haproxy
// and goha: the bytes each server received and the check log lines must
// match.
func TestDifferentialTCPCheckVars(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	greeter := func(reply string) *fakeServer {
		return startFake(t, &fakeServer{greet: []byte("HELLO 42 world\r\n"), need: -1, reply: []byte(reply), close: true})
	}
	pong := func() *fakeServer {
		return startFake(t, &fakeServer{need: -1, reply: []byte("+PONG\r\n"), close: true})
	}
	hang := startFake(t, &fakeServer{hang: true})
	vars := []string{"option tcp-check",
		"tcp-check set-var(check.n) int(7)",
		"tcp-check set-var(check.s) str(abc)",
		`tcp-check set-var-fmt(check.f) "v%[var(check.n)]-%[var(check.s)]-%[var(check.none)]!"`,
		"tcp-check expect string HELLO",
		"tcp-check set-var(check.p) res.payload(6,2)",
		`tcp-check send-lf "X %[var(check.f)] %[var(check.p)] %[var(check.none)] %[var(check.s),upper]\r\n"`,
	}
	scenarios := []tcpScenario{
		{name: "varsok", lines: append(append([]string{}, vars...), `tcp-check expect string-lf "%[var(check.s)] %[var(check.p)]"`),
			srv: greeter("abc 42\r\n")},
		{name: "varsbad", lines: append(append([]string{}, vars...), `tcp-check expect string-lf "%[var(check.s)] %[var(check.p)]" comment c1`),
			srv: greeter("abc 43\r\n")},
		{name: "varsunset", lines: []string{"option tcp-check", "tcp-check set-var(check.s) str(504f)", "tcp-check unset-var(check.s)",
			`tcp-check send-lf "A%[var(check.s)]B\r\n"`, `tcp-check expect binary-lf "2b50%[var(check.s)]"`}, srv: pong()},
		{name: "varsbin", lines: []string{"option tcp-check", "tcp-check set-var(check.h) str(4e47)", "tcp-check set-var(check.b) bin(50494e)",
			`tcp-check send-binary-lf "%[var(check.b)]%[var(check.h)]0d0a"`, `tcp-check expect binary-lf "%[var(check.h)]0d0a"`}, srv: pong()},
		{name: "varsbinmiss", lines: []string{"option tcp-check", "tcp-check set-var(check.h) str(4e48)",
			`tcp-check send "PING\r\n"`, `tcp-check expect binary-lf "%[var(check.h)]0d0a"`}, srv: pong()},
		{name: "varsbinbad", lines: []string{"option tcp-check", "tcp-check set-var(check.h) str(zz)",
			`tcp-check send "PING\r\n"`, `tcp-check expect binary-lf "%[var(check.h)]0d0a"`}, srv: pong()},
		{name: "varsbinodd", lines: []string{"option tcp-check", "tcp-check set-var(check.h) str(0)", "tcp-check comment c2",
			`tcp-check send "PING\r\n"`, `tcp-check expect binary-lf "%[var(check.h)]0d0a"`}, srv: pong()},
		{name: "varsempty", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`,
			`tcp-check expect string-lf "%[var(check.none)]" error-status L7STS comment c3`}, srv: pong()},
		{name: "varsbinerr", lines: []string{"option tcp-check", "tcp-check set-var(check.h) str(x)",
			`tcp-check send "PING\r\n"`, `tcp-check expect binary-lf "%[var(check.h)]" error-status L4CON`}, srv: pong()},
		{name: "varspct", lines: []string{"option tcp-check", "tcp-check set-var(check.x) str(NG)",
			`tcp-check send-lf "PI%[var(check.x)] 100%%\r\n"`, `tcp-check expect string-lf "+PO%[var(check.x)]"`}, srv: pong()},
		{name: "varsonerr", lines: []string{"option tcp-check", "tcp-check set-var(check.w) str(want)", "tcp-check set-var(check.c) int(42)",
			`tcp-check send "PING\r\n"`, `tcp-check expect string nope error-status L7STS on-error "%[var(check.w)]: %[res.payload(0,0),cut_crlf]" status-code var(check.c)`}, srv: pong()},
		{name: "varsonok", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check set-var(check.c) str(7x)",
			`tcp-check expect string +PONG on-success "ok %[var(check.c)]" status-code var(check.c)`}, srv: pong()},
		{name: "varslast", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect string +PONG",
			"tcp-check set-var(check.x) res.payload(1,4)"}, srv: pong()},
		{name: "varsfirst", lines: []string{"option tcp-check", "tcp-check set-var(check.x) str(PING)", "tcp-check connect",
			`tcp-check send-lf "%[var(check.x)]\r\n"`, "tcp-check expect string +PONG"}, srv: pong()},
		{name: "varstout", lines: []string{"option tcp-check", "tcp-check set-var(check.x) str(hello)", "tcp-check expect string-lf %[var(check.x)]",
			"timeout check 200"}, srv: hang, to: CheckTimeouts(300*time.Millisecond, time.Second, 200*time.Millisecond)},
	}
	compareTCPChecks(t, scenarios)
}
