package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestSwitchModeFromDefaultsDifferential: `tcp-request content
// switch-mode http` in the named defaults section a tcp frontend starts
// from, beside HAProxy 2.6: the frontend switches at that rule, before
// its own content rules (its reject never runs) and before the switching
// rules (use_backend sees the HTTP request); its http-request rules run,
// but the defaults' upgrade flag is not inherited, so -c strips the
// frontend's option forwardfor as for a tcp frontend (no
// X-Forwarded-For reaches the server). What the client and each server
// get, the log lines and show stat's frontend counters are compared.
func TestSwitchModeFromDefaultsDifferential(t *testing.T) {
	t.Parallel()
	web, other := startRecorder(t), startRecorder(t)
	cfg := `global
    log LOG local0
defaults d
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 1s
    timeout server 5s
    tcp-request content switch-mode http
frontend fe from d
    bind BIND
    tcp-request content reject
    http-request deny if { path /deny }
    http-request set-header x-fe fromdefaults
    option forwardfor
    use_backend other if { path_beg /o }
    default_backend web
defaults h
    mode http
    log global
    timeout connect 2s
    timeout client 1s
    timeout server 5s
backend web from h
    server s1 ` + web.ln.Addr().String() + `
backend other from h
    server s2 ` + other.ln.Addr().String() + `
`
	cases := []switchCase{
		{upgradeGet, 300 * time.Millisecond, 1},
		{"GET /o HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
		{"GET /deny HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
		{upgradeGet + "GET /o HTTP/1.1\r\nhost: x\r\n\r\n" + upgradeGet, 300 * time.Millisecond, 3},
		{"HELLO garbage\r\n\r\n", 300 * time.Millisecond, 1},
		{"GET / HT", 2 * time.Second, 1},
	}
	upgradeRounds(t, func() bool {
		ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
		fe0 := px.Frontends()[0].Stats
		if upgradeExchangesRaced(t, ha, goha, haLog, goLog, []*recorder{web, other}, cases) {
			return true
		}
		after := haproxytest.StatsCmd(t, sock, "show stat")
		sameStatDeltas(t, before, after, statCols("fe/FRONTEND", statsSince(px.Frontends()[0].Stats, fe0), "ereq", "dreq", "req_tot"), nil, true)
		// what HAProxy's server got, checked so that the comparison cannot
		// pass on a switch that did not happen
		web.reset(nil, false)
		exchangeFrom(t, "", ha, upgradeGet, 300*time.Millisecond)
		if got := strings.ToLower(string(web.bytes())); !strings.Contains(got, "x-fe: fromdefaults") || strings.Contains(got, "x-forwarded-for") {
			t.Errorf("haproxy's server got %q: want x-fe and no x-forwarded-for", got)
		}
		drainLines(haLog, 300*time.Millisecond)
		return false
	})
}
