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

// peersStickCfg: `stick on src` on a table the two peers share; %[6]s
// lists the servers, in another order in each proxy, so the server_id a
// peer sends names another server on the other side and only server_key
// (the name) keeps a client on its server. The bare default-bind sets
// no option, in both.
const peersStickCfg = `global
	localpeer %[1]s
	stats socket %[2]s level admin
peers P
	default-bind
	peer hap %[3]s
	peer goha %[4]s
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend fe
	bind %[5]s
	default_backend be
backend be
	balance roundrobin
	stick-table type ip size 1k expire 30s peers P
	stick on src
%[6]s`

// TestPeersStickyServerWithHAProxy26: a client stuck to a server through
// HAProxy 2.6 goes to that same server through gohaproxy once the entry
// is replicated, and the other way round, though each proxy numbers the
// servers differently: server_key travels and decides.
func TestPeersStickyServerWithHAProxy26(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	webs := map[string]*loopback.Web{}
	for _, n := range []string{"s1", "s2", "s3"} {
		webs[n] = loopback.StartWeb(t, n)
	}
	servers := func(names ...string) string {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "\tserver %s %s\n", n, webs[n].Addr)
		}
		return b.String()
	}
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	hapFront, gohaFront := loopback.FreeAddr(t), loopback.FreeAddr(t)
	dir := t.TempDir()
	hapSock, gohaSock := filepath.Join(dir, "hap.sock"), filepath.Join(dir, "goha.sock")
	haproxytest.StartQuiet(t, bin, haproxytest.WriteConfig(t, fmt.Sprintf(peersStickCfg, "hap", hapSock, hapPeer, gohaPeer, hapFront, servers("s1", "s2", "s3"))))
	startWithConfig(t, gohaproxy, fmt.Sprintf(peersStickCfg, "goha", gohaSock, hapPeer, gohaPeer, gohaFront, servers("s3", "s2", "s1")), gohaFront)
	loopback.WaitListen(t, hapFront)

	waitKey := func(sock, src, name string) {
		t.Helper()
		re := regexp.MustCompile(`key=` + regexp.QuoteMeta(src) + ` .*server_key=` + name + `\b`)
		end := time.Now().Add(10 * time.Second)
		for !re.MatchString(haproxytest.StatsCmd(t, sock, "show table be")) {
			if time.Now().After(end) {
				t.Fatalf("%s never learned %s on %s:\n%s", sock, src, name, haproxytest.StatsCmd(t, sock, "show table be"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, c := range []struct{ src, first, second, firstSock, secondSock string }{
		{"127.0.0.2", hapFront, gohaFront, hapSock, gohaSock},
		{"127.0.0.3", gohaFront, hapFront, gohaSock, hapSock},
	} {
		got := bodyFrom(t, c.src, c.first)
		name := strings.TrimPrefix(got, "200 OK ")
		waitKey(c.firstSock, c.src, name)
		waitKey(c.secondSock, c.src, name)
		for i := 0; i < 2; i++ {
			if again := bodyFrom(t, c.src, c.second); again != got {
				t.Errorf("%s: %q through %s, then %q through the other peer", c.src, got, c.first, again)
			}
		}
	}
	t.Logf("haproxy:\n%s\ngoha:\n%s", haproxytest.StatsCmd(t, hapSock, "show table be"), haproxytest.StatsCmd(t, gohaSock, "show table be"))
}
