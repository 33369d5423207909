package haproxycmd

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// peersRateCfg is the configuration both peers run: the same peers
// section, each naming itself with localpeer, and the rate limit of the
// issue (more than 3 requests in 10s from one source: 429).
const peersRateCfg = `global
	localpeer %[1]s
	stats socket %[2]s level admin
peers P
	peer hap %[3]s
	peer goha %[4]s
	%[6]s
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend fe
	bind %[5]s
	%[7]s
	http-request track-sc0 src %[8]s
	http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
	http-request return status 200
`

// peersTableForms are the two places a replicated table is declared: the
// frontend's own stick-table with "peers P" (named "fe" on the wire), and
// a "table" line of the section (named "/t" on the wire, "P/t" in the
// runtime API and in track-sc).
var peersTableForms = []struct {
	name, peersLine, feLine, trackTable, show string
}{
	{"frontend", "", "stick-table type ip size 100k expire 30s peers P store http_req_rate(10s),gpc0", "", "fe"},
	{"section", "table t type ip size 100k expire 30s store http_req_rate(10s),gpc0", "", "table P/t", "P/t"},
}

// TestPeersRateLimitWithHAProxy26: gohaproxy and HAProxy 2.6 are the two
// peers of one section. A source rate-limited through one is rate-limited
// on its first request through the other, both ways.
func TestPeersRateLimitWithHAProxy26(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	for _, f := range peersTableForms {
		t.Run(f.name, func(t *testing.T) {
			f := f
			peersRateLimit(t, bin, func(local, sock, hapPeer, gohaPeer, front string) string {
				return fmt.Sprintf(peersRateCfg, local, sock, hapPeer, gohaPeer, front, f.peersLine, f.feLine, f.trackTable)
			}, f.show)
		})
	}
}

func peersRateLimit(t *testing.T, bin string, cfg func(local, sock, hapPeer, gohaPeer, front string) string, table string) {
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	hapFront, gohaFront := loopback.FreeAddr(t), loopback.FreeAddr(t)
	dir := t.TempDir()
	hapSock, gohaSock := filepath.Join(dir, "hap.sock"), filepath.Join(dir, "goha.sock")
	haproxytest.StartQuiet(t, bin, haproxytest.WriteConfig(t, cfg("hap", hapSock, hapPeer, gohaPeer, hapFront)))
	startWithConfig(t, gohaproxy, cfg("goha", gohaSock, hapPeer, gohaPeer, gohaFront), gohaFront)
	loopback.WaitListen(t, hapFront)

	limit := func(src, front string) {
		t.Helper()
		want := []int{200, 200, 200, 429}
		for i, w := range want {
			if got := statusFrom(t, src, front, "/"); got != w {
				t.Fatalf("request %d from %s to %s: status %d, want %d", i+1, src, front, got, w)
			}
		}
	}
	learned := func(sock, src string) { t.Helper(); waitLearned(t, sock, table, src) }

	// HAProxy -> goha.
	limit("127.0.0.2", hapFront)
	learned(gohaSock, "127.0.0.2")
	if got := statusFrom(t, "127.0.0.2", gohaFront, "/"); got != 429 {
		t.Errorf("goha after haproxy limited 127.0.0.2: status %d, want 429", got)
	}
	// goha -> HAProxy.
	limit("127.0.0.3", gohaFront)
	learned(hapSock, "127.0.0.3")
	if got := statusFrom(t, "127.0.0.3", hapFront, "/"); got != 429 {
		t.Errorf("haproxy after goha limited 127.0.0.3: status %d, want 429", got)
	}
	// A source neither limited is served by both.
	for _, f := range []string{hapFront, gohaFront} {
		if got := statusFrom(t, "127.0.0.4", f, "/"); got != 200 {
			t.Errorf("fresh source through %s: status %d, want 200", f, got)
		}
	}
	t.Logf("haproxy:\n%s\ngoha:\n%s", haproxytest.StatsCmd(t, hapSock, "show table "+table), haproxytest.StatsCmd(t, gohaSock, "show table "+table))
}

// waitLearned waits for the entry of src with 4 requests in sock's table:
// pushes are batched, an earlier one may carry fewer.
func waitLearned(t *testing.T, sock, table, src string) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	re := regexp.MustCompile(`key=` + regexp.QuoteMeta(src) + ` .*http_req_rate\(10000\)=4\b`)
	for !re.MatchString(haproxytest.StatsCmd(t, sock, "show table "+table)) {
		if time.Now().After(end) {
			t.Fatalf("%s never learned %s:\n%s", sock, src, haproxytest.StatsCmd(t, sock, "show table "+table))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPeersResyncToRestartedHAProxy: HAProxy restarts and asks gohaproxy
// for the full resync; it learns the entries gohaproxy made and those
// gohaproxy had only learned from the HAProxy before (never requested
// through gohaproxy), so a source limited before the restart stays limited.
func TestPeersResyncToRestartedHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	f := peersTableForms[0]
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	hapFront, gohaFront := loopback.FreeAddr(t), loopback.FreeAddr(t)
	dir := t.TempDir()
	hapSock, gohaSock := filepath.Join(dir, "hap.sock"), filepath.Join(dir, "goha.sock")
	hapCfg := haproxytest.WriteConfig(t, fmt.Sprintf(peersRateCfg, "hap", hapSock, hapPeer, gohaPeer, hapFront, f.peersLine, f.feLine, f.trackTable))
	first := haproxytest.StartQuiet(t, bin, hapCfg)
	startWithConfig(t, gohaproxy, fmt.Sprintf(peersRateCfg, "goha", gohaSock, hapPeer, gohaPeer, gohaFront, f.peersLine, f.feLine, f.trackTable), gohaFront)
	loopback.WaitListen(t, hapFront)
	for range 4 {
		statusFrom(t, "127.0.0.5", hapFront, "/")  // learned by goha
		statusFrom(t, "127.0.0.6", gohaFront, "/") // goha's own
	}
	waitLearned(t, gohaSock, "fe", "127.0.0.5")
	waitLearned(t, hapSock, "fe", "127.0.0.6")
	first.Process.Kill()
	first.Wait()
	haproxytest.StartQuiet(t, bin, hapCfg)
	loopback.WaitListen(t, hapFront)
	waitLearned(t, hapSock, "fe", "127.0.0.5")
	waitLearned(t, hapSock, "fe", "127.0.0.6")
	for _, src := range []string{"127.0.0.5", "127.0.0.6"} {
		if got := statusFrom(t, src, hapFront, "/"); got != 429 {
			t.Errorf("restarted haproxy, %s: status %d, want 429", src, got)
		}
	}
}

// TestPeersGohaproxyLearnsAtStart: a gohaproxy worker that starts beside a
// running HAProxy 2.6 peer asks it for the full resync and limits a source
// HAProxy limited before it started (and one the previous worker limited).
func TestPeersGohaproxyLearnsAtStart(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	f := peersTableForms[1]
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	hapFront, gohaFront := loopback.FreeAddr(t), loopback.FreeAddr(t)
	dir := t.TempDir()
	hapSock := filepath.Join(dir, "hap.sock")
	haproxytest.StartQuiet(t, bin, haproxytest.WriteConfig(t, fmt.Sprintf(peersRateCfg, "hap", hapSock, hapPeer, gohaPeer, hapFront, f.peersLine, f.feLine, f.trackTable)))
	gohaCfg := writeConfig(t, fmt.Sprintf(peersRateCfg, "goha", filepath.Join(dir, "goha.sock"), hapPeer, gohaPeer, gohaFront, f.peersLine, f.feLine, f.trackTable))
	first, _ := inProcess(t, gohaCfg, true)
	loopback.WaitListen(t, hapFront)
	loopback.WaitListen(t, gohaFront)
	for range 4 {
		statusFrom(t, "127.0.0.7", hapFront, "/")
		statusFrom(t, "127.0.0.8", gohaFront, "/")
	}
	waitLearned(t, hapSock, f.show, "127.0.0.8")
	first.close()
	inProcess(t, gohaCfg, true)
	loopback.WaitListen(t, gohaFront)
	waitLearned(t, filepath.Join(dir, "goha.sock"), f.show, "127.0.0.7")
	waitLearned(t, filepath.Join(dir, "goha.sock"), f.show, "127.0.0.8")
	for _, src := range []string{"127.0.0.7", "127.0.0.8"} {
		if got := statusFrom(t, src, gohaFront, "/"); got != 429 {
			t.Errorf("new gohaproxy worker, %s: status %d, want 429", src, got)
		}
	}
}
