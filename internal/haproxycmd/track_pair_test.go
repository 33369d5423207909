package haproxycmd

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// trackPair is the same backends (serverOptsDaemon) run by haproxy and
// by goha, for the track tests' steps: a runtime command on both, then
// traffic, show stat rows and servers state compared, and at the end
// their stderr lines about servers.
type trackPair struct {
	t                                *testing.T
	haSock, goSock, haFront, goFront string
	haErrs, goErrs                   *haproxytest.Buffer
}

func startTrackPair(t *testing.T, backends string) *trackPair {
	p := &trackPair{t: t}
	p.haSock, p.haErrs, p.haFront = serverOptsDaemon(t, true, "", backends)
	p.goSock, p.goErrs, p.goFront = serverOptsDaemon(t, false, "", backends)
	return p
}

// cmd sends a runtime command (none when empty) to both; the answers must
// match.
func (p *trackPair) cmd(step, cmd string) {
	p.t.Helper()
	if cmd == "" {
		return
	}
	if h, g := haproxytest.StatsCmd(p.t, p.haSock, cmd), haproxytest.StatsCmd(p.t, p.goSock, cmd); h != g {
		p.t.Errorf("%s: %s: haproxy %q, goha %q", step, cmd, h, g)
	}
}

// traffic compares what a GET through each frontend answers.
func (p *trackPair) traffic(step string) {
	p.t.Helper()
	if h, g := loopback.Get(p.t, p.haFront), loopback.Get(p.t, p.goFront); h != g {
		p.t.Errorf("%s: haproxy answered %q, goha %q", step, h, g)
	}
}

// statRows is each side's show stat rows in cols, kept by rows.
func (p *trackPair) statRows(cols []string, rows func([]string) []string) (ha, goha []string) {
	return rows(statColumns(p.t, haproxytest.StatsCmd(p.t, p.haSock, "show stat"), cols)),
		rows(statColumns(p.t, haproxytest.StatsCmd(p.t, p.goSock, "show stat"), cols))
}

// step runs change (what the checks or agents answer, a command), lets
// the checks (every 100 ms, rise and fall 1) run for 350 ms, then
// compares show stat's cols (rows keeps what is compared) and the
// settled show servers state once both agree, 2 s at most (a loaded
// machine's checks come late), and then the traffic.
func (p *trackPair) step(name string, cols []string, rows func([]string) []string, change func()) {
	p.t.Helper()
	change()
	time.Sleep(350 * time.Millisecond)
	var h, g []string
	var hs, gs string
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		h, g = p.statRows(cols, rows)
		hs, gs = haproxytest.SettledState(p.t, p.haSock), haproxytest.SettledState(p.t, p.goSock)
		if strings.Join(h, "\n") == strings.Join(g, "\n") && hs == gs || time.Now().After(deadline) {
			break
		}
	}
	diffLines(p.t, "show stat "+name, h, g)
	if hs != gs {
		p.t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", name, hs, gs)
	}
	p.traffic(name)
}

// stderr compares the daemons' lines about servers and backends
// (trackLines), printed in full with -v.
func (p *trackPair) stderr() {
	p.t.Helper()
	ha, goha := trackLines(p.haErrs.String()), trackLines(p.goErrs.String())
	diffLines(p.t, "stderr", ha, goha)
	if testing.Verbose() {
		p.t.Logf("haproxy:\n%s\ngoha:\n%s", strings.Join(ha, "\n"), strings.Join(goha, "\n"))
	}
}
