package haproxycmd

import (
	"strings"
	"testing"

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

// state compares show stat's cols (rows keeps what is compared) and the
// settled show servers state.
func (p *trackPair) state(step string, cols []string, rows func([]string) []string) {
	p.t.Helper()
	h, g := p.statRows(cols, rows)
	diffLines(p.t, "show stat "+step, h, g)
	p.settled(step, haproxytest.SettledState(p.t, p.haSock), haproxytest.SettledState(p.t, p.goSock))
}

func (p *trackPair) settled(step, ha, goha string) {
	p.t.Helper()
	if ha != goha {
		p.t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", step, ha, goha)
	}
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
