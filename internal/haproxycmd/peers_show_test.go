package haproxycmd

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
	{regexp.MustCompile(`0x[0-9a-f]{6,}`), "0xP"},
	{regexp.MustCompile(`(addr|src)=[0-9.:]+`), "$1=A"},
	{regexp.MustCompile(`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\]`), "[DATE]"},
	{regexp.MustCompile(`(resync_timeout|last_hdshk|reconnect|heartbeat)=(<PAST>|(\d+[dhms])+)`), "$1=T"},
	{regexp.MustCompile(`task_calls=\d+`), "task_calls=N"},
}

// TestShowPeersMatchesHAProxy compares "show peers" (all, by name, with
// "-" and "dict", an unknown section) and show info's ActivePeers and
// ConnectedPeers with HAProxy 2.6's for a section with a frontend table
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
		var all []string
		for _, cmd := range []string{"show peers", "show peers P", "show peers - P", "show peers dict P", "show peers nope"} {
			all = append(all, "> "+cmd+"\n"+haproxytest.StatsCmd(t, sock, cmd))
		}
		for _, f := range []string{"ActivePeers", "ConnectedPeers"} {
			all = append(all, f+": "+haproxytest.ShowInfoField(t, sock, f))
		}
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
