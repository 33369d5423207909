package haproxycmd

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

const stickOnCfg = sockHTTPHead + `frontend fe
    bind BIND
    default_backend be
backend be
    balance roundrobin
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 WEB1
    server s2 WEB2
    server s3 WEB3
`

// bodyFrom sends GET / on a new connection from src and returns the body
// (the recording server's name).
func bodyFrom(t *testing.T, src, addr string) string {
	t.Helper()
	return bodyAt(t, src, addr, "/")
}

// bodyAt is bodyFrom for path.
func bodyAt(t *testing.T, src, addr, path string) string {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}
	c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET from %s: %v", src, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + strings.TrimSpace(string(b))
}

// stickPair runs cfg (BIND, SOCK and WEB1..3 replaced, the recording
// servers s1..s3) in HAProxy 2.6 and in gohaproxy; it returns each one's
// bind and stats socket, and the servers.
func stickPair(t *testing.T, cfg string) (haBind, goBind, haSock, goSock string, webs []*loopback.Web) {
	testenv.LookPath(t, "haproxy")
	webs = []*loopback.Web{loopback.StartWeb(t, "s1"), loopback.StartWeb(t, "s2"), loopback.StartWeb(t, "s3")}
	cfg = strings.NewReplacer("WEB1", webs[0].Addr, "WEB2", webs[1].Addr, "WEB3", webs[2].Addr).Replace(cfg)
	start := func(bin string) (string, string) {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "t.cfg")
		c := strings.NewReplacer("BIND", bind, "SOCK", filepath.Join(dir, "s.sock")).Replace(cfg)
		os.WriteFile(path, []byte(c), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	haBind, haSock = start("haproxy")
	goBind, goSock = start(gohaproxy)
	return
}

// stickRounds sends n rounds of one request from each client to both
// proxies, reporting a difference or a client leaving its first server;
// it returns each client's first answer.
func stickRounds(t *testing.T, round string, n int, haBind, goBind string) map[string]string {
	t.Helper()
	first := map[string]string{}
	for i := 0; i < n; i++ {
		for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
			ha, goha := bodyFrom(t, src, haBind), bodyFrom(t, src, goBind)
			if ha != goha {
				t.Errorf("%s: request %d from %s: haproxy %q, goha %q", round, i+1, src, ha, goha)
			}
			if f, ok := first[src]; !ok {
				first[src] = ha
			} else if f != ha {
				t.Errorf("%s: request %d from %s left %q for %q", round, i+1, src, f, ha)
			}
		}
	}
	return first
}

// roundsAfterDisable disables, on both sides, the server of 127.0.0.1's
// answer in first, then plays n rounds (stickRounds); it returns that
// server and the rounds' answers.
func roundsAfterDisable(t *testing.T, first map[string]string, n int, haBind, goBind, haSock, goSock string) (down string, after map[string]string) {
	t.Helper()
	down = strings.TrimPrefix(first["127.0.0.1"], "200 OK ")
	for _, sock := range []string{haSock, goSock} {
		haproxytest.StatsCmd(t, sock, "disable server be/"+down)
	}
	return down, stickRounds(t, "after disable server be/"+down, n, haBind, goBind)
}

// sameStickTable compares `show table be` (entry addresses and expiry
// normalised), server_key (the server's name HAProxy 2.6 keeps beside
// server_id and matches first) included.
func sameStickTable(t *testing.T, when, haSock, goSock string) {
	t.Helper()
	ha := normTable(haproxytest.StatsCmd(t, haSock, "show table be"))
	goha := normTable(haproxytest.StatsCmd(t, goSock, "show table be"))
	if ha != goha {
		t.Errorf("show table be %s:\nhaproxy:\n%s\ngoha:\n%s", when, ha, goha)
	}
	if !strings.Contains(ha, "server_key=s") {
		t.Errorf("show table be %s: no server_id:\n%s", when, ha)
	}
}

// TestStickOnSrcMatchesHAProxy: `stick on src` with roundrobin, the same
// requests from two client addresses through HAProxy 2.6 and gohaproxy:
// each client stays on one server, the same in both; `show table` gives
// the same server_id; after that server is disabled the next requests go
// where HAProxy sends them and the entries are rewritten the same way.
func TestStickOnSrcMatchesHAProxy(t *testing.T) {
	haBind, goBind, haSock, goSock, _ := stickPair(t, stickOnCfg)
	first := stickRounds(t, "before", 4, haBind, goBind)
	if first["127.0.0.1"] == first["127.0.0.2"] {
		t.Errorf("roundrobin sent both clients to %q", first["127.0.0.1"])
	}
	sameStickTable(t, "before", haSock, goSock)
	down, after := roundsAfterDisable(t, first, 3, haBind, goBind, haSock, goSock)
	if strings.HasSuffix(after["127.0.0.1"], down) {
		t.Errorf("127.0.0.1 still on the disabled server %s", down)
	}
	if after["127.0.0.2"] != first["127.0.0.2"] {
		t.Errorf("127.0.0.2 moved from %q to %q", first["127.0.0.2"], after["127.0.0.2"])
	}
	sameStickTable(t, "after", haSock, goSock)
}

// TestStickOnRedispatchMatchesHAProxy: the server a client sticks to
// stops listening (no health check: it stays up); with `option
// redispatch` the request goes to another server, which is stored, in
// both proxies.
func TestStickOnRedispatchMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickOnCfg, "    balance roundrobin\n", "    balance roundrobin\n    option redispatch\n    retries 1\n", 1)
	haBind, goBind, haSock, goSock, webs := stickPair(t, cfg)
	first := stickRounds(t, "before", 2, haBind, goBind)
	sameStickTable(t, "before", haSock, goSock)
	down := strings.TrimPrefix(first["127.0.0.1"], "200 OK ")
	webs[down[1]-'1'].Close()
	after := stickRounds(t, "after "+down+" stopped", 3, haBind, goBind)
	if strings.HasSuffix(after["127.0.0.1"], down) {
		t.Errorf("127.0.0.1 still answered by the stopped server %s", down)
	}
	sameStickTable(t, "after", haSock, goSock)
}

// TestStickMatchStoreRequestMatchesHAProxy: `stick store-request` under a
// condition into another backend's table, `stick match` reading it: only
// the marked request stores its server, later requests stick to it, the
// same in both proxies.
func TestStickMatchStoreRequestMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickOnCfg, "    stick on src\n",
		"    stick match src table st\n    stick store-request src table st if { path /store }\n", 1) +
		"backend st\n    stick-table type ip size 1k expire 30s\n"
	haBind, goBind, haSock, goSock, _ := stickPair(t, cfg)
	paths := []string{"/", "/", "/store", "/", "/", "/", "/store", "/"}
	for i, p := range paths {
		for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
			ha, goha := bodyAt(t, src, haBind, p), bodyAt(t, src, goBind, p)
			if ha != goha {
				t.Errorf("request %d (%s) from %s: haproxy %q, goha %q", i+1, p, src, ha, goha)
			}
		}
	}
	ha := normTable(haproxytest.StatsCmd(t, haSock, "show table st"))
	goha := normTable(haproxytest.StatsCmd(t, goSock, "show table st"))
	if ha != goha || !strings.Contains(ha, "server_key=s") {
		t.Errorf("show table st:\nhaproxy:\n%s\ngoha:\n%s", ha, goha)
	}
}

// TestStickOnPersistMatchesHAProxy: with `option persist`, a client stuck
// to a disabled server still goes to it, as in HAProxy.
func TestStickOnPersistMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickOnCfg, "    balance roundrobin\n", "    balance roundrobin\n    option persist\n", 1)
	haBind, goBind, haSock, goSock, _ := stickPair(t, cfg)
	first := stickRounds(t, "before", 2, haBind, goBind)
	_, after := roundsAfterDisable(t, first, 2, haBind, goBind, haSock, goSock)
	if after["127.0.0.1"] != first["127.0.0.1"] {
		t.Errorf("127.0.0.1 moved from %q to %q", first["127.0.0.1"], after["127.0.0.1"])
	}
	sameStickTable(t, "after", haSock, goSock)
}
