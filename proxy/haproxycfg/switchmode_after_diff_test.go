package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestSwitchModeAfterRulesDifferential: `tcp-request content switch-mode
// http` after other content rules, beside HAProxy 2.6: the rules before
// it run, on the connection's TCP stream at its start for its first
// request (a txn variable they set reaches that request's http-request
// rules), on each later request's HTTP stream (they run again); a reject
// on the client's source address refuses the connection), those after it
// never do. What the client and the server get, the log lines and the
// frontend's counters are compared.
func TestSwitchModeAfterRulesDifferential(t *testing.T) {
	t.Parallel()
	firstContentDifferential(t, "    tcp-request content switch-mode http\n    tcp-request content reject\n")
}

// TestImplicitUpgradeContentDifferential: the tcp-request content rules
// of a tcp frontend upgraded to HTTP by its backend run as those before
// a switch-mode rule do (TestSwitchModeAfterRulesDifferential), beside
// HAProxy 2.6.
func TestImplicitUpgradeContentDifferential(t *testing.T) {
	t.Parallel()
	firstContentDifferential(t, "")
}

// firstContentDifferential runs the content rule tests on a frontend
// whose rules end with sw (the switch-mode lines, or none).
func firstContentDifferential(t *testing.T, sw string) {
	rec := startRecorder(t)
	cfg := strings.Replace(upgradeHead+`frontend fe
    mode tcp
    option tcplog
    bind BIND
    tcp-request content set-var(sess.seen) int(7)
    tcp-request content set-var(txn.t) str(first) if { var(sess.again) -m found }
    tcp-request content set-var(txn.t) str(tcp) unless { var(sess.again) -m found }
    tcp-request content set-var(sess.again) int(1)
    tcp-request content reject if { src 127.0.0.2 }
SWITCH    http-request set-header x-seen %[var(sess.seen)]
    http-request set-header x-t %[var(txn.t)]
    default_backend web
backend web
    mode http
    server s1 `+rec.ln.Addr().String()+"\n", "SWITCH", sw, 1)
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	fe0 := px.Frontends()[0].Stats
	cases := []switchCase{
		{upgradeGet, 300 * time.Millisecond, 1},
		{upgradeGet + "GET /b HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 2},
	}
	sameUpgradeExchanges(t, ha, goha, haLog, goLog, []*recorder{rec}, cases)
	// from the refused source address, one side after the other
	src := "127.0.0.2"
	var got [2][]byte
	var ends [2]string
	for i, addr := range []string{ha, goha} {
		got[i], ends[i] = exchangeFrom(t, src, addr, upgradeGet, 300*time.Millisecond)
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("from the refused address: %q (%s)", got[0], ends[0])
	compareAnswers(t, "from the refused address", got[0], got[1], ends[0], ends[1])
	sameLogLines(t, "from the refused address", haLog, goLog, 1)
	// a client that sends nothing is refused as well
	for i, addr := range []string{ha, goha} {
		got[i], ends[i] = exchangeFrom(t, src, addr, "", 500*time.Millisecond)
	}
	compareAnswers(t, "silent, from the refused address", got[0], got[1], ends[0], ends[1])
	sameLogLines(t, "silent, from the refused address", haLog, goLog, 1)
	after := haproxytest.StatsCmd(t, sock, "show stat")
	sameStatDeltas(t, before, after, statCols("fe/FRONTEND", statsSince(px.Frontends()[0].Stats, fe0), "dreq", "req_tot"), nil, true)
	web := rec
	web.reset(nil, false)
	exchangeFrom(t, "", ha, upgradeGet, 300*time.Millisecond)
	if b := strings.ToLower(string(web.bytes())); !strings.Contains(b, "x-seen: 7") || !strings.Contains(b, "x-t: tcp") {
		t.Errorf("haproxy's server got %q: want x-seen: 7 and x-t: tcp", b)
	}
}
