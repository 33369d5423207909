package haproxycmd

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

const showPeersCfg = `global
	localpeer me
	stats socket %[1]s level admin
peers P
	peer me %[2]s
	table t type ip size 100 expire 5m store http_req_cnt
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend fe
	bind %[3]s
	stick-table type ip size 100 expire 5m peers P store http_req_cnt,gpc0
	http-request track-sc0 src
	http-request track-sc1 src table P/t
	http-request return status 200
`

// showPeersNorm replaces what differs between two processes running the
// same configuration: pointers, the section's start date, times left or
// since (a duration or <PAST>; <NEVER> is kept) and scheduler call counts.
var showPeersNorm = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`0x[0-9a-f]{9,}`), "0xP"},
	{regexp.MustCompile(`(addr|src)=[0-9.:]+`), "$1=A"},
	{regexp.MustCompile(`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\]`), "[DATE]"},
	{regexp.MustCompile(`(resync_timeout|last_hdshk|reconnect|heartbeat)=(<PAST>|(\d+[dhms])+)`), "$1=T"},
	{regexp.MustCompile(`task_calls=\d+`), "task_calls=N"},
}

// TestShowPeersMatchesHAProxy compares "show peers" (all, by name, with
// "-" and "dict", an unknown section) and show info's ActivePeers,
// ConnectedPeers, Listeners and Jobs (the peers bind counts) with HAProxy 2.6's for a section with a frontend table
// and a "table" line, after one tracked request, normalising only
// pointers, dates, times and task call counts.
func TestShowPeersMatchesHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	out := map[string]string{}
	for _, b := range []string{bin, gohaproxy} {
		sock := filepath.Join(dir, strings.ReplaceAll(filepath.Base(b), " ", "_")+".sock")
		front := loopback.FreeAddr(t)
		startWithConfig(t, b, fmt.Sprintf(showPeersCfg, sock, loopback.FreeAddr(t), front), front)
		if st := statusFrom(t, "127.0.0.2", front, "/"); st != 200 {
			t.Fatalf("%s: status %d", b, st)
		}
		// The request's end (its last table update) and its connection's
		// close may take a moment to be seen: Jobs counts open
		// connections, the tables count updates.
		for i := 0; i < 100 && haproxytest.ShowInfoField(t, sock, "CurrConns") != "0"; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		var all []string
		for _, cmd := range []string{"show peers", "show peers P", "show peers - P", "show peers dict P", "show peers nope"} {
			all = append(all, "> "+cmd+"\n"+haproxytest.StatsCmd(t, sock, cmd))
		}
		for _, f := range []string{"ActivePeers", "ConnectedPeers", "Listeners"} {
			all = append(all, f+": "+haproxytest.ShowInfoField(t, sock, f))
		}
		// HAProxy counts the CLI connection of the previous command among
		// its jobs until it is torn down: the fewest of a few readings.
		jobs := haproxytest.ShowInfoField(t, sock, "Jobs")
		for i := 0; i < 5; i++ {
			time.Sleep(20 * time.Millisecond)
			if j := haproxytest.ShowInfoField(t, sock, "Jobs"); len(j) < len(jobs) || (len(j) == len(jobs) && j < jobs) {
				jobs = j
			}
		}
		all = append(all, "Jobs: "+jobs)
		s := strings.Join(all, "\n")
		for _, n := range showPeersNorm {
			s = n.re.ReplaceAllString(s, n.with)
		}
		out[b] = s
	}
	if out[bin] != out[gohaproxy] {
		t.Errorf("show peers differs:\nhaproxy:\n%s\ngohaproxy:\n%s", out[bin], out[gohaproxy])
	}
}

const showPeersPairCfg = `global
	localpeer %[1]s
	stats socket %[2]s level admin
peers P
	peer me %[3]s
	peer other %[4]s
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend fe
	bind %[5]s
	stick-table type ip size 100 expire 5m peers P store http_req_cnt,gpc0
	http-request track-sc0 src
	http-request return status 200
`

// TestShowPeersConnectedMatchesHAProxy: "me" (HAProxy 2.6, then
// gohaproxy) starts beside a running HAProxy 2.6 "other", dials it, learns
// its table and pushes one entry of its own; its "show peers" and show
// info's peer counts are compared, normalising only addresses, pointers,
// dates, times and task call counts.
func TestShowPeersConnectedMatchesHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	out := map[string]string{}
	for i, b := range []string{bin, gohaproxy} {
		me, other := loopback.FreeAddr(t), loopback.FreeAddr(t)
		otherSock := filepath.Join(dir, fmt.Sprintf("other%d.sock", i))
		otherFront, front := loopback.FreeAddr(t), loopback.FreeAddr(t)
		startWithConfig(t, bin, fmt.Sprintf(showPeersPairCfg, "other", otherSock, me, other, otherFront), otherFront)
		statusFrom(t, "127.0.0.3", otherFront, "/")
		sock := filepath.Join(dir, fmt.Sprintf("me%d.sock", i))
		startWithConfig(t, b, fmt.Sprintf(showPeersPairCfg, "me", sock, me, other, front), front)
		waitFor(t, "the session", func() bool {
			return strings.Contains(haproxytest.StatsCmd(t, sock, "show peers"), "last_status=ESTA")
		})
		statusFrom(t, "127.0.0.2", front, "/")
		waitFor(t, "the push", func() bool {
			return strings.Contains(haproxytest.StatsCmd(t, otherSock, "show table fe"), "key=127.0.0.2 ")
		})
		// The request's end touches the entry again and that update is
		// pushed too: read once the request is over and two readings
		// agree (its timing decided the counters in 1 of 3 CI runs).
		for i := 0; i < 100 && haproxytest.ShowInfoField(t, sock, "CurrConns") != "0"; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		peers := func() string {
			s := haproxytest.StatsCmd(t, sock, "show peers")
			for _, n := range showPeersNorm {
				s = n.re.ReplaceAllString(s, n.with)
			}
			return s
		}
		last := peers()
		for i := 0; i < 20; i++ {
			time.Sleep(50 * time.Millisecond)
			now := peers()
			if now == last {
				break
			}
			last = now
		}
		s := "> show peers\n" + haproxytest.StatsCmd(t, sock, "show peers")
		for _, f := range []string{"ActivePeers", "ConnectedPeers"} {
			s += f + ": " + haproxytest.ShowInfoField(t, sock, f) + "\n"
		}
		for _, n := range showPeersNorm {
			s = n.re.ReplaceAllString(s, n.with)
		}
		out[b] = s
	}
	if out[bin] != out[gohaproxy] {
		t.Errorf("show peers differs:\nhaproxy:\n%s\ngohaproxy:\n%s", out[bin], out[gohaproxy])
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
