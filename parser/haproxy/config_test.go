package haproxy

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func checkString(t testing.TB, cfg string) *Result {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "t.cfg")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return Check([]string{p}, func(string) (string, bool) { return "", false })
}

func TestSeedConfigModel(t *testing.T) {
	res := Check([]string{"../../testdata/seed/haproxy.cfg"}, nil)
	if res.Exit != 0 || strings.Join(res.Stdout, "|") != "Configuration file is valid" {
		t.Fatalf("exit %d stdout %q diags %+v", res.Exit, res.Stdout, res.Diags.List)
	}
	c := res.Config
	g := c.Global
	if !g.Daemon || g.Chroot != "/var/lib/haproxy" || g.Pidfile != "/var/run/haproxy.pid" || g.Maxconn != 4000 ||
		g.User != "haproxy" || g.Group != "haproxy" || len(g.StatsSockets) != 1 || g.StatsSockets[0].Addr.Path != "/var/lib/haproxy/stats" {
		t.Errorf("global = %+v", g)
	}
	if len(c.Frontends) != 1 || len(c.Backends) != 1 {
		t.Fatalf("frontends %d backends %d", len(c.Frontends), len(c.Backends))
	}
	fe, be := c.Frontends[0], c.Backends[0]
	if fe.Name != "main" || fe.DefaultBack != "servers" || len(fe.Binds) != 1 || fe.Binds[0].Addrs[0].PortLow != 80 || fe.Binds[0].Addrs[0].Host != "" {
		t.Errorf("frontend = %+v", fe)
	}
	// Inherited from defaults.
	if fe.Mode != "http" || fe.Timeouts.Client != time.Minute || fe.Maxconn != 3000 || !fe.Options["httplog"] ||
		!fe.Options["dontlognull"] || !fe.Options["http-server-close"] || fe.Forwardfor == nil || fe.Forwardfor.Except != "127.0.0.0/8" {
		t.Errorf("frontend inheritance = %+v", fe)
	}
	if be.Balance.Algorithm != "roundrobin" || be.Retries != 3 || !be.Options["redispatch"] || be.Timeouts.Connect != 10*time.Second ||
		be.Timeouts.HTTPKeepAlive != 10*time.Second || be.Timeouts.Queue != time.Minute {
		t.Errorf("backend = %+v", be)
	}
	var addrs []string
	for _, s := range be.Servers {
		addrs = append(addrs, fmt.Sprintf("%s=%s:%d", s.Name, s.Addr.Host, s.Addr.PortLow))
	}
	if got := strings.Join(addrs, " "); got != "web1=192.168.110.33:80 web2=192.168.110.33:81 web3=192.168.110.33:82" {
		t.Errorf("servers = %s", got)
	}
}

func TestTypedCore(t *testing.T) {
	res := checkString(t, `global
    master-worker
    nbthread 2
    stats socket ipv4@127.0.0.1:9999 level admin mode 600 expose-fd listeners
defaults base
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    default-server inter 3s fall 3 rise 2
frontend fe from base
    bind 127.0.0.1:8080,127.0.0.1:8081 name web
    acl is_api path_beg -i /api
    acl host_x hdr(host) -m str x.example
    use_backend api if is_api !host_x or { src 10.0.0.0/8 }
    http-request set-header X-A b
    http-request deny if host_x
    http-response del-header Server
    option forwardfor except 10.0.0.0/8 header X-Real-IP if-none
    stats enable
    stats uri /stats
    stats auth admin:pw
    stats refresh 10
    stats admin if LOCALHOST
    default_backend api
backend api from base
    balance uri len 10 depth 2
    hash-type consistent
    option httpchk GET /health HTTP/1.1
    http-check expect status 200
    server a1 127.0.0.1:9001 check weight 20 backup maxconn 5 maxqueue 7 port 9101 addr 127.0.0.2 send-proxy id 7 cookie c1 inter 1s fastinter 500ms downinter 2s
    server a2 127.0.0.1:9002 disabled ssl verify none
`)
	if res.Exit != 0 {
		t.Fatalf("exit %d: %+v", res.Exit, res.Diags.List)
	}
	c := res.Config
	if !c.Global.MasterWorker || c.Global.Nbthread != 2 {
		t.Errorf("global %+v", c.Global)
	}
	ss := c.Global.StatsSockets[0]
	if ss.Level != "admin" || ss.Mode != "600" || ss.ExposeFD != "listeners" || ss.Addr.Family != "ipv4" || ss.Addr.PortLow != 9999 {
		t.Errorf("stats socket %+v", ss)
	}
	fe := c.Frontends[0]
	if len(fe.Binds[0].Addrs) != 2 || fe.Binds[0].Options["name"] != "web" {
		t.Errorf("bind %+v", fe.Binds[0])
	}
	if len(fe.ACLs) != 2 || fe.ACLs[0].Keyword != "path_beg" || fe.ACLs[0].Sample.Fetch.Name != "path" || fe.ACLs[0].Match.Method != MatchBeg ||
		!fe.ACLs[0].Match.IgnoreCase || fe.ACLs[0].Match.Patterns[0] != "/api" || fe.ACLs[1].Match.Method != MatchStr {
		t.Errorf("acls %+v", fe.ACLs)
	}
	ub := fe.UseBackends[0]
	if ub.Backend != "api" || len(ub.Cond.Or) != 2 || len(ub.Cond.Or[0]) != 2 || !ub.Cond.Or[0][1].Negate || ub.Cond.Or[1][0].Anon == nil ||
		ub.Cond.Or[1][0].Anon.Sample.Text != "src" {
		t.Errorf("use_backend %+v", ub.Cond)
	}
	if len(fe.HTTPRequestRules) != 2 || fe.HTTPRequestRules[0].Action != "set-header" || fe.HTTPRequestRules[1].Cond == nil || len(fe.HTTPResponseRules) != 1 {
		t.Errorf("http rules %+v %+v", fe.HTTPRequestRules, fe.HTTPResponseRules)
	}
	if ff := fe.Forwardfor; ff.Except != "10.0.0.0/8" || ff.Header != "X-Real-IP" || !ff.IfNone {
		t.Errorf("forwardfor %+v", ff)
	}
	if st := fe.Stats; !st.Enabled || st.URI != "/stats" || st.Auth[0] != "admin:pw" || st.Refresh != 10*time.Second || st.Admin == nil {
		t.Errorf("stats %+v", st)
	}
	be := c.Backends[0]
	if be.Balance.Algorithm != "uri" || strings.Join(be.Balance.Args, " ") != "uri len 10 depth 2" ||
		be.Balance.URI != (URIHashParams{Len: 10, Depth: 2}) || be.HashType.Method != HashConsistent {
		t.Errorf("balance %+v %v", be.Balance, be.HashType)
	}
	if hc := be.HTTPCheck; !hc.Enabled || hc.Method != "GET" || hc.URI != "/health" || hc.Version != "HTTP/1.1" || len(hc.Rules) != 1 {
		t.Errorf("httpchk %+v", hc)
	}
	a1, a2 := be.Servers[0], be.Servers[1]
	if !a1.Check || a1.Weight != 20 || !a1.Backup || a1.Maxconn != 5 || a1.Maxqueue != 7 || a1.Port != 9101 || a1.CheckAddr != "127.0.0.2" ||
		!a1.SendProxy || a1.ID != 7 || a1.Cookie != "c1" || a1.Inter != time.Second || a1.FastInter != 500*time.Millisecond ||
		a1.DownInter != 2*time.Second || a1.Fall != 3 || a1.Rise != 2 {
		t.Errorf("a1 %+v", a1.ServerOptions)
	}
	if !a2.Disabled || !a2.SSL || a2.Verify != "none" || a2.Inter != 3*time.Second {
		t.Errorf("a2 %+v", a2.ServerOptions)
	}
}

func TestBadInput(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		res := Check([]string{"/nonexistent/goha.cfg"}, nil)
		if res.Exit != 1 || !res.Usage || len(res.Diags.List) != 1 ||
			res.Diags.List[0].Text != "config : Cannot open configuration file/directory /nonexistent/goha.cfg : No such file or directory" {
			t.Errorf("%+v", res)
		}
	})
	t.Run("dir without cfg", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x.conf"), []byte("global\n"), 0o644)
		res := Check([]string{dir}, nil)
		if res.Exit != 1 || !res.Usage || len(res.Diags.List) != 0 {
			t.Errorf("%+v", res)
		}
	})
	t.Run("dir lexical order", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "b.cfg"), []byte(".notice b\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "a.cfg"), []byte(".notice a\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "c.txt"), []byte(".notice c\n"), 0o644)
		res := Check([]string{dir}, nil)
		var got []string
		for _, d := range res.Diags.List {
			got = append(got, d.Text)
		}
		want := fmt.Sprintf("config : parsing [%s/a.cfg:1]: 'a'.|config : parsing [%s/b.cfg:1]: 'b'.", dir, dir)
		if strings.Join(got, "|") != want || res.Exit != 2 {
			t.Errorf("got %q exit %d", got, res.Exit)
		}
	})
	t.Run("NUL bytes", func(t *testing.T) {
		res := checkString(t, "global\n    daemon\x00\n    maxconn 1\n")
		if res.Exit != 1 || !strings.Contains(res.Diags.List[0].Text, "Stray NUL character at position 11.") {
			t.Errorf("%+v", res.Diags.List)
		}
	})
	t.Run("10MB garbage", func(t *testing.T) {
		r := rand.New(rand.NewSource(1))
		b := make([]byte, 10<<20)
		r.Read(b)
		for i := range b { // keep it NUL-free so the whole file is read
			if b[i] == 0 {
				b[i] = 'x'
			}
		}
		start := time.Now()
		res := checkString(t, string(b))
		if res.Exit != 1 || !res.Diags.Errors() {
			t.Errorf("garbage accepted: exit %d", res.Exit)
		}
		t.Logf("10 MB of garbage checked in %v with %d messages", time.Since(start), len(res.Diags.List))
	})
}

// generatedConfig builds a valid config of about n lines.
func generatedConfig(n int) string {
	var b strings.Builder
	b.WriteString("global\n    maxconn 10000\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n")
	lines := 7
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&b, "frontend fe%d\n    bind 127.0.0.1:%d\n    acl a%d path_beg /p%d\n    use_backend be%d if a%d\n    default_backend be%d\n", i, 10000+i, i, i, i, i, i)
		fmt.Fprintf(&b, "backend be%d\n    balance roundrobin\n", i)
		lines += 7
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&b, "    server s%d 127.0.0.1:%d check inter 2s weight 10\n", j, 20000+j)
			lines++
		}
	}
	return b.String()
}

func TestGenerated5000Lines(t *testing.T) {
	cfg := generatedConfig(5000)
	if n := strings.Count(cfg, "\n"); n < 5000 {
		t.Fatalf("only %d lines", n)
	}
	res := checkString(t, cfg)
	if res.Exit != 0 || res.Diags.Errors() || res.Diags.Warnings() {
		t.Fatalf("exit %d: %+v", res.Exit, res.Diags.List[:min(3, len(res.Diags.List))])
	}
	if len(res.Config.Frontends) < 490 {
		t.Errorf("only %d frontends", len(res.Config.Frontends))
	}
}

func BenchmarkCheck5000Lines(b *testing.B) {
	dir := b.TempDir()
	p := filepath.Join(dir, "gen.cfg")
	os.WriteFile(p, []byte(generatedConfig(5000)), 0o644)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := Check([]string{p}, nil); res.Exit != 0 {
			b.Fatal("invalid")
		}
	}
}
