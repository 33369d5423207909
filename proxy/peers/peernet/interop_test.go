package peernet

import (
	"fmt"
	"net/http"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/peers"
)

// feDef is the definition HAProxy 2.6 gives the stick table of the test's
// frontend "fe": type ip, expire 30s, storing gpc0, conn_cnt, http_req_cnt
// and http_req_rate(10s).
func feDef() peers.TableDef {
	d := peers.TableDef{Name: "fe", KeyType: peers.KeyIPv4, KeyLen: 4, Expire: 30000}
	for _, dt := range []peers.DataType{peers.DTGPC0, peers.DTConnCnt, peers.DTHTTPReqCnt, peers.DTHTTPReqRate} {
		d.Types |= 1 << dt
	}
	d.Period[peers.DTHTTPReqRate] = 10000
	return d
}

const interopCfg = `global
	stats socket %[1]s level admin
peers mypeers
	peer hap %[2]s
	peer goha %[3]s
frontend fe
	mode http
	bind %[4]s
	timeout client 5s
	stick-table type ip size 1k expire 30s peers mypeers store gpc0,conn_cnt,http_req_cnt,http_req_rate(10s)
	http-request track-sc0 src
	http-request return status 200
`

func ip4(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestInteropHAProxy26 makes goha's peer module the other peer of a real
// HAProxy 2.6: entries HAProxy creates while tracking requests arrive in
// goha's table with HAProxy's counters, and an entry goha sets shows up in
// HAProxy's "show table".
func TestInteropHAProxy26(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	table := peers.NewMemTable(feDef(), nil)
	node := startNode(t, gohaPeer, hapPeer, table)
	sock, front := startHAProxy(t, bin, hapPeer, gohaPeer)
	waitFor(t, "the session with haproxy", 10*time.Second, func() bool { return node.Connected("hap") })

	for i := 0; i < 3; i++ {
		if got := loopback.Get(t, front); !strings.HasPrefix(got, "200") {
			t.Fatalf("request %d: %s", i, got)
		}
	}
	key := ip4("127.0.0.1")
	waitFor(t, "haproxy's entry in goha's table", 5*time.Second, func() bool {
		e, ok := table.Get(key)
		if !ok {
			return false
		}
		v, _ := e.ValueOf(peers.DTHTTPReqCnt)
		return len(v.Num) == 1 && v.Num[0] == 3
	})
	e, _ := table.Get(key)
	show := haproxytest.StatsCmd(t, sock, "show table fe")
	t.Logf("haproxy: %s", show)
	want := map[peers.DataType]string{
		peers.DTGPC0: showField(t, show, "gpc0"), peers.DTConnCnt: showField(t, show, "conn_cnt"),
		peers.DTHTTPReqCnt: showField(t, show, "http_req_cnt"), peers.DTHTTPReqRate: showField(t, show, `http_req_rate\(10000\)`),
	}
	for dt, w := range want {
		v, ok := e.ValueOf(dt)
		if !ok {
			t.Errorf("%s missing from goha's entry", dt)
			continue
		}
		var got string
		if dt == peers.DTHTTPReqRate {
			// Three requests within the period: the current count.
			got = fmt.Sprint(v.Freq[0].Curr + v.Freq[0].Prev)
		} else {
			got = fmt.Sprint(v.Num[0])
		}
		if got != w {
			t.Errorf("%s: goha has %s, haproxy shows %s", dt, got, w)
		}
	}

	// goha's own entry travels the other way.
	table.Set(ip4("10.9.8.7"), 0, []peers.Value{
		{Type: peers.DTGPC0, Num: []uint64{7}},
		{Type: peers.DTHTTPReqCnt, Num: []uint64{42}},
		{Type: peers.DTHTTPReqRate, Freq: []peers.FreqCtr{{Age: 10, Curr: 5}}},
	})
	var line string
	pushed := time.Now()
	waitFor(t, "goha's entry in haproxy's show table", 5*time.Second, func() bool {
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show table fe"), "\n") {
			if strings.Contains(l, "key=10.9.8.7 ") {
				line = l
				return true
			}
		}
		return false
	})
	t.Logf("haproxy learned after %v: %s", time.Since(pushed).Round(time.Millisecond), line)
	for _, f := range []string{"gpc0=7", "http_req_cnt=42", "http_req_rate(10000)=5", "conn_cnt=0"} {
		if !strings.Contains(line, " "+f) {
			t.Errorf("haproxy's entry %q lacks %s", line, f)
		}
	}
}

func showField(t *testing.T, show, field string) string {
	t.Helper()
	m := regexp.MustCompile(`key=127\.0\.0\.1 .*\b` + field + `=(\d+)`).FindStringSubmatch(show)
	if m == nil {
		t.Fatalf("no %s for 127.0.0.1 in %q", field, show)
	}
	return m[1]
}

// startNode starts goha's peer module as peer "goha" of a section whose
// other peer is "hap", and stops it when the test ends.
func startNode(t *testing.T, listen, hap string, table *peers.MemTable) *Node {
	t.Helper()
	var mu sync.Mutex
	var logs []string
	node, err := Start(Config{Local: "goha", Listen: listen, Peers: map[string]string{"hap": hap},
		Tables: []peers.Table{table}, Logf: func(f string, a ...any) {
			mu.Lock()
			logs = append(logs, time.Now().Format("05.000 ")+fmt.Sprintf(f, a...))
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		node.Close()
		mu.Lock()
		t.Logf("goha peer log:\n%s", strings.Join(logs, "\n"))
		mu.Unlock()
	})
	return node
}

// startHAProxy starts haproxy as peer "hap" with the test's frontend and
// returns its stats socket and frontend address once it listens.
func startHAProxy(t *testing.T, bin, hapPeer, gohaPeer string) (sock, front string) {
	t.Helper()
	sock = filepath.Join(t.TempDir(), "stats.sock")
	front = loopback.FreeAddr(t)
	cfg := haproxytest.WriteConfig(t, fmt.Sprintf(interopCfg, sock, hapPeer, gohaPeer, front))
	startProc(t, bin, "-db", "-q", "-L", "hap", "-f", cfg)
	loopback.WaitListen(t, front)
	return sock, front
}

// TestInteropReconnect: HAProxy restarts; goha's dialer makes a new session
// within HAProxy's 5s reconnect timer, and the new HAProxy learns goha's
// entries again. HAProxy is told a dead address for goha, so every session
// is one goha dialed.
func TestInteropReconnect(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	front := loopback.FreeAddr(t)
	cfg := haproxytest.WriteConfig(t, fmt.Sprintf(interopCfg, sock, hapPeer, loopback.DeadAddr(t), front))
	first := startProc(t, bin, "-db", "-q", "-L", "hap", "-f", cfg)
	loopback.WaitListen(t, front)
	table := peers.NewMemTable(feDef(), nil)
	node := startNode(t, gohaPeer, hapPeer, table)
	waitFor(t, "the first session", 10*time.Second, func() bool { return node.Connected("hap") })
	table.Set(ip4("198.51.100.7"), 0, []peers.Value{{Type: peers.DTGPC0, Num: []uint64{11}}})
	waitFor(t, "the entry in the first haproxy", 5*time.Second, func() bool { return showLine(t, sock, "fe", "198.51.100.7") != "" })
	first.Process.Kill()
	first.Wait()
	waitFor(t, "goha to see the session end", 5*time.Second, func() bool { return !node.Connected("hap") })
	startProc(t, bin, "-db", "-q", "-L", "hap", "-f", cfg)
	began := time.Now()
	waitFor(t, "a new session", 2*peers.ReconnectTimeout, func() bool { return node.Connected("hap") })
	t.Logf("new session after %v", time.Since(began).Round(time.Millisecond))
	var line string
	waitFor(t, "the entry in the new haproxy", 5*time.Second, func() bool {
		line = showLine(t, sock, "fe", "198.51.100.7")
		return strings.Contains(line, " gpc0=11 ")
	})
	t.Logf("new haproxy: %s", line)
}

// showLine returns the line of key in "show table <table>", "" if none.
func showLine(t *testing.T, sock, table, key string) string {
	for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show table "+table), "\n") {
		if strings.Contains(l, "key="+key+" ") {
			return l
		}
	}
	return ""
}

// TestInteropResyncFromHAProxy: goha starts after HAProxy has entries,
// asks it for a full resync, and learns them with the remaining lifetime
// HAProxy sends in a teach (timed updates), not its own table's expire.
func TestInteropResyncFromHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock, front := startHAProxy(t, bin, hapPeer, gohaPeer)
	loopback.Get(t, front)
	time.Sleep(1500 * time.Millisecond)
	table := peers.NewMemTable(feDef(), nil)
	startNode(t, gohaPeer, hapPeer, table)
	waitFor(t, "the resync from haproxy", 10*time.Second, func() bool {
		e, ok := table.Get(ip4("127.0.0.1"))
		return ok && e.Expire < 29000
	})
	e, _ := table.Get(ip4("127.0.0.1"))
	t.Logf("haproxy: %s; goha: %+v", showLine(t, sock, "fe", "127.0.0.1"), e)
	if v, _ := e.ValueOf(peers.DTHTTPReqCnt); v.Num[0] != 1 {
		t.Errorf("http_req_cnt = %v, want 1", v.Num)
	}
}

// TestInteropTeachHAProxy: HAProxy starts after goha has an entry, asks goha
// for a full resync, and stores the entry with the lifetime goha taught.
func TestInteropTeachHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	table := peers.NewMemTable(feDef(), nil)
	table.Set(ip4("192.0.2.1"), 20000, []peers.Value{{Type: peers.DTGPC0, Num: []uint64{3}}})
	node := startNode(t, gohaPeer, hapPeer, table)
	// As after a previous session that HAProxy acked to the end: nothing is
	// pushed on connect, so only the teach can bring the entry (on a first
	// session the untimed push of the local change comes again after the
	// teach's confirm, as in HAProxy, and HAProxy's own 30s would win).
	node.mu.Lock()
	node.remote["hap"].acked = []uint32{table.LastUpdate()}
	node.mu.Unlock()
	sock, _ := startHAProxy(t, bin, hapPeer, gohaPeer)
	var line string
	re := regexp.MustCompile(` exp=(\d+) `)
	defer func() { t.Logf("last line: %q", line) }()
	t.Logf("%s haproxy started", time.Now().Format("05.000"))
	waitFor(t, "goha's taught entry in haproxy", 10*time.Second, func() bool {
		line = showLine(t, sock, "fe", "192.0.2.1")
		m := re.FindStringSubmatch(line)
		if m == nil {
			return false
		}
		// HAProxy's 30s would mean the untimed push; the teach sends what
		// is left of goha's 20s (HAProxy's cached clock may add a little).
		exp, _ := strconv.Atoi(m[1])
		return exp > 15000 && exp <= 20100
	})
	t.Logf("haproxy: %s", line)
	if !strings.Contains(line, " gpc0=3 ") {
		t.Errorf("haproxy's entry %q lacks gpc0=3", line)
	}
}

// TestInteropHeartbeats: with nothing to replicate, goha sends a heartbeat
// every 3s as HAProxy does, and HAProxy counts it ("show peers" rx_hbt).
func TestInteropHeartbeats(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock, _ := startHAProxy(t, bin, hapPeer, gohaPeer)
	node := startNode(t, gohaPeer, hapPeer, peers.NewMemTable(feDef(), nil))
	waitFor(t, "the session", 10*time.Second, func() bool { return node.Connected("hap") })
	// Both sides connect at once: the collision may end the first session
	// and a new one starts its own 3s, so the count is read until one
	// heartbeat arrived, within two intervals of the last handshake.
	rx := regexp.MustCompile(`id=goha\b[^\n]*\n(?:[^\n]*\n)*?[^\n]*rx_hbt=(\d+)`)
	var out string
	n := 0
	for deadline := time.Now().Add(2*peers.HeartbeatInterval + 2*time.Second); n < 1 && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		out = haproxytest.StatsCmd(t, sock, "show peers")
		m := rx.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no rx_hbt for goha in show peers:\n%s", out)
		}
		n, _ = strconv.Atoi(m[1])
	}
	t.Logf("show peers:\n%s", out)
	if n < 1 {
		t.Errorf("haproxy received %d heartbeats from goha in %v, want at least 1", n, 2*peers.HeartbeatInterval+2*time.Second)
	}
	for _, bad := range []string{"proto_err=", "no_hbt="} {
		if m := regexp.MustCompile(`id=goha\b[^\n]*\n[^\n]*` + bad + `(\d+)`).FindStringSubmatch(out); m == nil || m[1] != "0" {
			t.Errorf("haproxy's %s for goha: %v", bad, m)
		}
	}
}

const interopStrCfg = `global
	stats socket %[1]s level admin
peers mypeers
	peer hap %[2]s
	peer goha %[3]s
	table users type string len 16 size 1k expire 30s store http_req_cnt,gpc0
frontend fe
	mode http
	bind %[4]s
	timeout client 5s
	http-request track-sc0 req.hdr(x-user) table mypeers/users
	http-request return status 200
`

// TestInteropStringTable replicates a peers-section table with string keys
// both ways: its wire name is "/users" and its key length len+1, and keys
// longer than len are cut as HAProxy cuts them.
func TestInteropStringTable(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	front := loopback.FreeAddr(t)
	cfg := haproxytest.WriteConfig(t, fmt.Sprintf(interopStrCfg, sock, hapPeer, gohaPeer, front))
	startProc(t, bin, "-db", "-q", "-L", "hap", "-f", cfg)
	loopback.WaitListen(t, front)
	kt, kl, _ := peers.KeyOf("string", 16)
	def := peers.TableDef{Name: "/users", KeyType: kt, KeyLen: kl, Expire: 30000, Types: 1<<peers.DTGPC0 | 1<<peers.DTHTTPReqCnt}
	table := peers.NewMemTable(def, nil)
	node := startNode(t, gohaPeer, hapPeer, table)
	waitFor(t, "the session", 10*time.Second, func() bool { return node.Connected("hap") })

	req, _ := http.NewRequest("GET", "http://"+front+"/", nil)
	req.Header.Set("X-User", "alice")
	for i := 0; i < 2; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	waitFor(t, "alice in goha's table", 5*time.Second, func() bool {
		e, ok := table.Get([]byte("alice"))
		v, _ := e.ValueOf(peers.DTHTTPReqCnt)
		return ok && len(v.Num) == 1 && v.Num[0] == 2
	})
	table.Set([]byte("bob-has-a-very-long-name"), 0, []peers.Value{{Type: peers.DTGPC0, Num: []uint64{4}}})
	var line string
	waitFor(t, "bob in haproxy's table", 5*time.Second, func() bool {
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show table mypeers/users"), "\n") {
			if strings.Contains(l, "key=bob") {
				line = l
				return true
			}
		}
		return false
	})
	t.Logf("haproxy: %s", line)
	if !strings.Contains(line, " key=bob-has-a-very-l ") || !strings.Contains(line, " gpc0=4") {
		t.Errorf("haproxy's entry %q: want the key cut to 16 bytes and gpc0=4", line)
	}
}

const interopStickCfg = `global
	stats socket %[1]s level admin
peers mypeers
	peer hap %[2]s
	peer goha %[3]s
listen app
	mode http
	bind %[4]s
	timeout client 5s
	timeout connect 2s
	timeout server 5s
	balance roundrobin
	stick-table type ip size 1k expire 30s peers mypeers store server_id,server_key
	stick on src
	server s1 %[5]s
	server s2 %[6]s
`

// TestInteropStickyServer: the server a client sticks to on HAProxy
// (server_id and server_key, the latter through the dictionary cache)
// reaches goha, and a stickiness goha pushes makes HAProxy send that client
// to the server goha named.
func TestInteropStickyServer(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	hapPeer, gohaPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	s1, s2 := loopback.StartWeb(t, "s1"), loopback.StartWeb(t, "s2")
	sock := filepath.Join(t.TempDir(), "stats.sock")
	front := loopback.FreeAddr(t)
	cfg := haproxytest.WriteConfig(t, fmt.Sprintf(interopStickCfg, sock, hapPeer, gohaPeer, front, s1.Addr, s2.Addr))
	startProc(t, bin, "-db", "-q", "-L", "hap", "-f", cfg)
	loopback.WaitListen(t, front)
	def := peers.TableDef{Name: "app", KeyType: peers.KeyIPv4, KeyLen: 4, Expire: 30000, Types: 1<<peers.DTServerID | 1<<peers.DTServerKey}
	table := peers.NewMemTable(def, nil)
	node := startNode(t, gohaPeer, hapPeer, table)
	waitFor(t, "the session", 10*time.Second, func() bool { return node.Connected("hap") })

	first := loopback.Get(t, front)
	want := map[string]uint64{"200 s1": 1, "200 s2": 2}[first]
	var e peers.Entry
	waitFor(t, "the stickiness in goha's table", 5*time.Second, func() bool {
		var ok bool
		e, ok = table.Get(ip4("127.0.0.1"))
		v, _ := e.ValueOf(peers.DTServerID)
		return ok && len(v.Num) == 1 && v.Num[0] == want
	})
	if v, _ := e.ValueOf(peers.DTServerKey); string(v.Dict.Value) != strings.TrimPrefix(first, "200 ") {
		t.Errorf("server_key %q after %q", v.Dict.Value, first)
	}
	// goha makes the client stick to the other server.
	other, otherName := map[uint64]uint64{1: 2, 2: 1}[want], map[uint64]string{1: "s2", 2: "s1"}[want]
	table.Set(ip4("127.0.0.1"), 0, []peers.Value{
		{Type: peers.DTServerID, Num: []uint64{other}},
		{Type: peers.DTServerKey, Dict: peers.DictRef{Present: true, HasValue: true, Value: []byte(otherName)}},
	})
	waitFor(t, "haproxy to learn the new stickiness", 5*time.Second, func() bool {
		return strings.Contains(showLine(t, sock, "app", "127.0.0.1"), fmt.Sprintf(" server_id=%d ", other))
	})
	t.Logf("haproxy: %s", showLine(t, sock, "app", "127.0.0.1"))
	for i := 0; i < 3; i++ {
		if got := loopback.Get(t, front); got != "200 "+otherName {
			t.Errorf("request %d after goha's push went to %q, want %s", i, got, otherName)
		}
	}
}
