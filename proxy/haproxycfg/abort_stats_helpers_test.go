package haproxycfg

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/proxy"
)

// The abort counters (cli_abrt, srv_abrt) of backend be and its server
// s1, read on both sides and compared by how much they grew.

// abortCounts are the abort counters of each side at one time: HAProxy's
// (show stat on its stats socket) and goha's.
type abortCounts struct{ ha, goha map[string]int64 }

// readAborts reads both sides' abort counters, goha's first.
func readAborts(t *testing.T, sock string, px *proxy.Proxy) abortCounts {
	t.Helper()
	g := gohaAborts(px)
	return abortCounts{ha: termAborts(t, haproxytest.StatsCmd(t, sock, "show stat")), goha: g}
}

// sameAbortDeltas compares how much each abort counter grew since base
// on each side. HAProxy's counters follow its log line, later on a
// loaded machine: they are read again (every 50 ms, 2 s at most) until
// both sides moved alike.
func sameAbortDeltas(t *testing.T, label, sock string, px *proxy.Proxy, base abortCounts) {
	t.Helper()
	var now abortCounts
	alike := func() bool {
		for k := range now.ha {
			if now.ha[k]-base.ha[k] != now.goha[k]-base.goha[k] {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if now = readAborts(t, sock, px); alike() || time.Now().After(deadline) {
			break
		}
	}
	for k := range now.ha {
		if w, g := now.ha[k]-base.ha[k], now.goha[k]-base.goha[k]; w != g {
			t.Errorf("%s: %s: haproxy %d, goha %d", label, k, w, g)
		}
	}
}

// termAborts reads cli_abrt and srv_abrt of backend be and its server s1
// from HAProxy's show stat.
func termAborts(t *testing.T, stat string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, r := range showStatRows(stat) {
		if k := r.key(); k != "be/BACKEND" && k != "be/s1" {
			continue
		}
		for c, v := range r.ints() {
			if c == "cli_abrt" || c == "srv_abrt" {
				out[r["svname"]+" "+c] = v
			}
		}
	}
	if len(out) != 4 {
		t.Fatalf("show stat: %q", stat)
	}
	return out
}

func gohaAborts(px *proxy.Proxy) map[string]int64 {
	b := px.Backends()[0]
	s := b.Servers[0].Stats
	return map[string]int64{"BACKEND cli_abrt": b.Stats.CliAborts, "BACKEND srv_abrt": b.Stats.SrvAborts,
		"s1 cli_abrt": s.CliAborts, "s1 srv_abrt": s.SrvAborts}
}
