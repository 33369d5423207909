package haproxycfg

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// seedOnLoopback is testdata/seed/haproxy.cfg with only what cannot run
// here rewritten: the bind goes to 127.0.0.1:<port>, servers to the test's
// backends, and the process lines (chroot, pidfile, user, group, daemon,
// stats socket, log target) are dropped: the in-process run below does not
// use them and the reference runs in the foreground.
func seedOnLoopback(t *testing.T, bind string, webs []string) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/seed/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(data)
	repl := []string{"bind *:80", "bind " + bind}
	for i, port := range []string{"80", "81", "82"} {
		repl = append(repl, "192.168.110.33:"+port, webs[i])
	}
	for _, l := range []string{"log         127.0.0.1 local2\n", "chroot      /var/lib/haproxy\n", "pidfile     /var/run/haproxy.pid\n",
		"user        haproxy\n", "group       haproxy\n", "daemon\n", "stats socket /var/lib/haproxy/stats\n"} {
		repl = append(repl, "    "+l, "")
	}
	for i := 0; i < len(repl); i += 2 {
		if !strings.Contains(cfg, repl[i]) {
			t.Fatalf("seed has no %q", repl[i])
		}
		cfg = strings.Replace(cfg, repl[i], repl[i+1], 1)
	}
	return cfg
}

// runPlan starts the data path for cfg in this process, as gohaproxy does.
func runPlan(t *testing.T, cfg string) {
	t.Helper()
	gohaRun(t, cfg, false, nil)
}

// TestSeedDifferential sends the same pipelined requests through the real
// HAProxy and through wire+proxy, both running the seed configuration
// against the same three backends: round robin order, bodies, and what
// option forwardfor except 127.0.0.0/8 and http-server-close forward.
func TestSeedDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var webs []string
	for i := 1; i <= 3; i++ {
		webs = append(webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)).Addr)
	}
	haBind, goBind := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, seedOnLoopback(t, haBind, webs), haBind)
	runPlan(t, seedOnLoopback(t, goBind, webs))

	var req strings.Builder
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&req, "GET /r%d HTTP/1.1\r\nHost: seed\r\n\r\n", i)
	}
	req.WriteString("GET /last HTTP/1.1\r\nHost: seed\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n")
	exchange := func(addr string) []difftest.Response {
		raw, err := difftest.Exchange(addr, []byte(req.String()), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := difftest.ParseAll(raw)
		if err != nil {
			t.Fatalf("%v\n%s", err, raw)
		}
		return rs
	}
	want, got := exchange(haBind), exchange(goBind)
	if len(want) != 7 || want[0].Body != "server1\n" || want[2].Body != "server3\n" {
		t.Fatalf("haproxy answered %+v", want)
	}
	if d := difftest.Diff(want, got, "x-seen-xff", "x-seen-connection", "x-seen-path", "content-length", "connection", "content-type"); d != "" {
		t.Error(d)
	}
}

// startBoth runs cfg (with BIND replaced) through the real HAProxy and
// through wire+proxy; it returns their addresses.
func startBoth(t *testing.T, cfg string) (ha, goha string) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	ha, goha = loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))
	// StartHAProxy's readiness probe was one connection (in tcp mode it
	// takes a server): give gohaproxy the same.
	if c, err := net.Dial("tcp", goha); err == nil {
		c.Close()
	}
	return ha, goha
}

func webs3(t *testing.T) []string {
	var webs []string
	for i := 1; i <= 3; i++ {
		webs = append(webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)).Addr)
	}
	return webs
}

// TestRoutingDifferential: ACL routing (path_beg, hdr(host) -i, anonymous
// ACL), weights, backup servers and header rules through both proxies.
func TestRoutingDifferential(t *testing.T) {
	t.Parallel()
	w := webs3(t)
	cfg := httpHead + `frontend fe
    bind BIND
    acl is_api path_beg /api
    acl host_b hdr(host) -i b.example
    http-request set-header X-Goha yes
    http-request add-header X-Tag t1 if is_api
    http-request del-header X-Remove
    http-request deny if { path_beg /forbidden }
    http-response set-header X-Resp r1
    acl has_sid cook(sid) -m found
    acl q7 url_param(id) 7
    use_backend api if is_api
    use_backend ck if has_sid
    use_backend qp if q7
    use_backend bb if host_b !METH_POST
    default_backend web
backend ck
    server c1 ` + w[2] + `
backend qp
    server q1 ` + w[1] + `
backend api
    server a1 ` + w[0] + `
backend bb
    balance roundrobin
    server b1 ` + w[1] + ` weight 2
    server b2 ` + w[2] + ` weight 1
backend web
    server w1 ` + w[0] + `
    server w2 ` + w[1] + ` backup
`
	ha, goha := startBoth(t, cfg)
	reqs := []string{
		"GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /b1 HTTP/1.1\r\nHost: B.example\r\n\r\n",
		"GET /b2 HTTP/1.1\r\nHost: b.example\r\n\r\n",
		"GET /b3 HTTP/1.1\r\nHost: b.example\r\n\r\n",
		"GET /b4 HTTP/1.1\r\nHost: b.example\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: b.example\r\nContent-Length: 2\r\n\r\nhi",
		"GET /w HTTP/1.1\r\nHost: a\r\nX-Remove: 1\r\nX-Goha: client\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: a\r\nCookie: a=1; sid=x\r\n\r\n",
		"GET /q?x=1&id=7 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /q?id=8 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /forbidden HTTP/1.1\r\nHost: a\r\n\r\n",
	}
	raw := strings.Join(reqs, "")
	exchange := func(addr string) []difftest.Response { return exchangeAll(t, addr, raw) }
	// Known difference, not asserted: after the deny's 403 HAProxy 2.6 keeps
	// the client connection open (Exchange then waits for its idle time)
	// while the data path closes it.
	want, got := exchange(ha), exchange(goha)
	if len(want) != len(reqs) || want[len(reqs)-1].Status != 403 {
		t.Fatalf("haproxy answered %+v", want)
	}
	if d := difftest.Diff(want, got, "x-seen-goha", "x-seen-tag", "x-seen-remove", "x-seen-path", "x-resp", "content-type"); d != "" {
		t.Error(d)
	}
}

// TestListenTCPDifferential: a listen section in tcp mode, one server per
// connection in round robin.
func TestListenTCPDifferential(t *testing.T) {
	w := webs3(t)
	cfg := `global
    nbthread 1
defaults
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen tcpl
    mode tcp
    bind BIND
    balance roundrobin
    server t1 ` + w[0] + `
    server t2 ` + w[1] + `
    server t3 ` + w[2] + `
`
	ha, goha := startBoth(t, cfg)
	seq := func(addr string) string {
		var out []string
		for i := 0; i < 6; i++ {
			raw, err := difftest.Exchange(addr, []byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := difftest.ParseAll(raw)
			if err != nil || len(rs) != 1 {
				t.Fatalf("%v %q", err, raw)
			}
			out = append(out, strings.TrimSpace(rs[0].Body))
		}
		return strings.Join(out, ",")
	}
	// Whether the readiness probe's connection took a server is a race in
	// both, so the sequences are compared as rotations of one cycle.
	cycle := "server1,server2,server3,server1,server2,server3,server1,server2,server3"
	want, got := seq(ha), seq(goha)
	if !strings.Contains(cycle, want) || !strings.Contains(cycle, got) {
		t.Errorf("not round robin: haproxy %s, goha %s", want, got)
	}
}
