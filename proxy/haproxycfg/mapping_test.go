package haproxycfg

import (
	"net/netip"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/listen"
)

func readCfg(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRHELDefault(t *testing.T) {
	p := buildText(t, readCfg(t, "../../testdata/haproxy/rhel-default.cfg"))
	if n := notices(p); len(n) != 0 {
		t.Errorf("notices: %q", n)
	}
	fe := p.Proxy.Frontends[0]
	if fe.Name != "main" || !reflect.DeepEqual(fe.Binds, []string{"0.0.0.0:5000"}) || fe.DefaultBackend != "app" || fe.MaxConn != 3000 {
		t.Errorf("frontend %+v", fe)
	}
	if len(fe.UseBackends) != 1 || fe.UseBackends[0].Backend != "static" {
		t.Fatalf("use_backend %+v", fe.UseBackends)
	}
	cond := fe.UseBackends[0].Cond
	for target, want := range map[string]bool{"/static/a.txt": true, "/IMAGES/x": true, "/app/logo.PNG": true, "/app/index.html": false, "/js": false} {
		if got := cond.Match(&proxy.RequestInfo{Method: []byte("GET"), Target: []byte(target)}); got != want {
			t.Errorf("url_static on %s = %v", target, got)
		}
	}
	var names []string
	for _, c := range p.Checks {
		names = append(names, c.Target.Backend+"/"+c.Target.Server)
		// no rise/fall/inter on the server lines: the defaults table's
		if c.Target.Timeouts != check.CheckTimeouts(haproxy.DefaultCheckInter, 10*time.Second, 10*time.Second) || c.HTTP != nil ||
			c.Target.Rise != haproxy.DefaultCheckRise || c.Target.Fall != haproxy.DefaultCheckFall ||
			c.Target.Intervals != (check.Intervals{Inter: haproxy.DefaultCheckInter, FastInter: haproxy.DefaultCheckInter, DownInter: haproxy.DefaultCheckInter}) {
			t.Errorf("check %+v", c)
		}
	}
	if strings.Join(names, ",") != "static/static,app/app1,app/app2,app/app3,app/app4" {
		t.Errorf("checks %s", names)
	}
	if c := p.Checks[1].Target; c.Addr != "127.0.0.1:5001" {
		t.Errorf("check addr %s", c.Addr)
	}
}

func TestBindExpansion(t *testing.T) {
	p := buildText(t, readCfg(t, "../../testdata/haproxy/feat-bind.cfg"))
	want := []string{"0.0.0.0:8080", "0.0.0.0:8081", "[::]:8082", "[::]:8083", "127.0.0.1:8084", "127.0.0.1:8085",
		"[::1]:8086", "[::]:8087", "[::1]:8088", "127.0.0.1:8090", "127.0.0.1:8091", "127.0.0.1:8092", "127.0.0.1:8093",
		"127.0.0.1:8094", "127.0.0.1:8095", "127.0.0.1:8100", "127.0.0.1:8101", "0.0.0.0:8102", "127.0.0.1:8110",
		"127.0.0.1:8111", "127.0.0.1:8112"}
	if got := p.Proxy.Frontends[0].Binds; !reflect.DeepEqual(got, want) {
		t.Errorf("binds\n got %q\nwant %q", got, want)
	}
	// A listen section is a frontend and a backend of the same name.
	if len(p.Proxy.Backends) != 1 || p.Proxy.Backends[0].Name != "app" || p.Proxy.Frontends[0].DefaultBackend != "app" {
		t.Errorf("listen split: %+v", p.Proxy.Backends)
	}
	n := strings.Join(notices(p), "\n")
	for _, w := range []string{"'bind unix@/run/haproxy-goha.sock'", "'bind /run/haproxy-goha2.sock'",
		"'bind abns@goha-abstract'", "'bind option backlog'",
		"'bind option tfo'"} {
		if !strings.Contains(n, w) {
			t.Errorf("no notice for %s in\n%s", w, n)
		}
	}
	if strings.Contains(n, "accept-proxy") {
		t.Errorf("accept-proxy is honoured, not a notice")
	}
	if ap := p.Proxy.Frontends[0].AcceptProxy; !reflect.DeepEqual(ap, map[string]bool{"127.0.0.1:8110": true}) {
		t.Errorf("accept-proxy binds %v", ap)
	}
	for _, o := range []string{"name", "maxconn", "defer-accept", "interface", "v6only", "transparent"} {
		if strings.Contains(n, "'bind option "+o+"'") {
			t.Errorf("%s is honoured, not a notice", o)
		}
	}
	fe := p.Proxy.Frontends[0]
	if bs := fe.BindSockets; !reflect.DeepEqual(bs, map[string]proxy.BindSocket{"[::1]:8088": {Sock: listen.SockOpts{V6: listen.V6Only}},
		"127.0.0.1:8111": {Sock: listen.SockOpts{DeferAccept: true}}, "127.0.0.1:8112": {Sock: listen.SockOpts{Interface: "lo"}},
		"127.0.0.1:8110": {MaxConn: 100, Name: "web"}}) {
		t.Errorf("bind sockets %+v", bs)
	}
}

func TestDefaultsAndInheritance(t *testing.T) {
	cfg := `global
    maxconn 100
defaults base
    mode http
    timeout connect 3s
    timeout client 4s
    timeout server 5s
    option httpclose
    retries 5
defaults
    mode tcp
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend tcpfe
    bind 127.0.0.1:7000
    default_backend tcpbe
backend tcpbe
    server t1 127.0.0.1:7001 weight 7 maxconn 10 maxqueue 20 backup
    server t2 127.0.0.1:7002 disabled
frontend web from base
    bind 127.0.0.1:7100
    option forwardfor header X-Client except 10.0.0.0/255.0.0.0 if-none
    default_backend webbe
backend webbe from base
    no option httpclose
    option http-keep-alive
    option redispatch
    server w1 127.0.0.1:7101
listen off
    disabled
    bind 127.0.0.1:7200
    server o1 127.0.0.1:7201
`
	p := buildText(t, cfg)
	if n := notices(p); len(n) != 0 {
		t.Errorf("notices %q", n)
	}
	if p.Proxy.MaxConn != 100 || len(p.Proxy.Frontends) != 2 || len(p.Proxy.Backends) != 2 {
		t.Fatalf("proxies: %d fe, %d be", len(p.Proxy.Frontends), len(p.Proxy.Backends))
	}
	tcpfe, web := p.Proxy.Frontends[0], p.Proxy.Frontends[1]
	tcpbe, webbe := p.Proxy.Backends[0], p.Proxy.Backends[1]
	if tcpfe.Mode != proxy.ModeTCP || tcpfe.Timeouts.Client != 2*time.Second || tcpbe.Retries != 3 {
		t.Errorf("tcp side: %+v %+v", tcpfe, tcpbe)
	}
	if want := []*proxy.Server{{Name: "t1", Addr: "127.0.0.1:7001", Weight: 7, MaxConn: 10, MaxQueue: 20, Backup: true},
		{Name: "t2", Addr: "127.0.0.1:7002", Weight: 1, Disabled: true}}; !reflect.DeepEqual(tcpbe.Servers, want) {
		t.Errorf("servers %s %s", sprint(tcpbe.Servers[0]), sprint(tcpbe.Servers[1]))
	}
	if web.Mode != proxy.ModeHTTP || web.ConnMode != proxy.Close || web.Timeouts.Server != 5*time.Second {
		t.Errorf("web frontend %+v", web)
	}
	if want := (proxy.ForwardFor{Enabled: true, Header: "X-Client", IfNone: true, Except: netip.MustParsePrefix("10.0.0.0/8")}); web.ForwardFor != want {
		t.Errorf("forwardfor %+v", web.ForwardFor)
	}
	if webbe.ConnMode != proxy.KeepAlive || !webbe.Redispatch || webbe.Retries != 5 {
		t.Errorf("webbe %+v", webbe)
	}
	var secs []string
	for _, s := range p.Sections {
		secs = append(secs, s.Name)
	}
	if strings.Join(secs, ",") != "tcpfe,tcpbe,web,webbe" {
		t.Errorf("sections %v", secs)
	}
}

func TestUnsupportedReported(t *testing.T) {
	cfg := `defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    timeout tarpit 1s
frontend fe
    bind 127.0.0.1:7000
    bind 127.0.0.1:7443 ssl crt /etc/ssl/x.pem
    stats enable
    http-request redirect scheme https%[path] if { path /old }
    http-request set-header X-Id %ci
    http-request set-header X-Ok yes
    http-response return status 200 content-type text/plain string x hdr x %[res.hdr(y)]
    default_backend be
backend be
    balance hash req.cook(s)
    server s1 127.0.0.1:7001 send-proxy-v2-ssl check inter 1s
    server s2 www.example.org
`
	p := buildText(t, cfg)
	var got []string
	for _, d := range p.Notices.List {
		if !d.Goha {
			t.Errorf("notice not marked goha: %+v", d)
		}
		got = append(got, strings.TrimPrefix(d.Text, "goha: "))
	}
	sort.Strings(got)
	want := []string{
		"[test.cfg:11] : 'redirect scheme with a log-format target' parsed but not supported yet.",
		"[test.cfg:12] : 'http-request set-header with a log-format value: log-format variable \"%ci\" is not supported by goha' parsed but not supported yet.",
		"[test.cfg:14] : 'http-response return hdr x %[res.hdr(y)]: a reply header reading the response (HAProxy 2.6 closes the connection unanswered): " +
			"sample fetch <res.hdr(y)]> may not be reliably used here because it needs 'HTTP response headers' which is not available here.' parsed but not supported yet.",
		"[test.cfg:16] : 'balance hash req.cook(s): only the src, path, url, urlp(<name>) and req.hdr(<name>) fetches are supported yet' parsed but not supported yet.",
		"[test.cfg:18] : 'PROXY v2 TLVs in health checks' parsed but not supported yet.",
		"[test.cfg:19] : 'server address without a fixed port (www.example.org)' parsed but not supported yet.",
		"[test.cfg:9] : 'bind option ssl: unable to stat SSL certificate from file '/etc/ssl/x.pem' : stat /etc/ssl/x.pem: no such file or directory' parsed but not supported yet.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notices\n got %q\nwant %q", got, want)
	}
	fe := p.Proxy.Frontends[0]
	if !reflect.DeepEqual(fe.Binds, []string{"127.0.0.1:7000"}) || len(fe.RequestRules) != 1 || fe.RequestRules[0].Value != "yes" ||
		len(fe.Services) != 1 || fe.Services[0].Action != proxy.UseService {
		t.Errorf("frontend %+v rules %+v", fe.Binds, fe.RequestRules)
	}
	be := p.Proxy.Backends[0]
	if be.Balance.Algorithm != "roundrobin" || !be.Servers[1].Disabled || len(p.Checks) != 1 {
		t.Errorf("backend %+v checks %d", be, len(p.Checks))
	}
}

// TestSendProxyMapping: send-proxy/send-proxy-v2 set the server's PROXY
// version (v2 wins when both are given, as in HAProxy), and health checks
// on the traffic address send the header too, but not those with their
// own `port` or `addr`.
func TestSendProxyMapping(t *testing.T) {
	cfg := `global
    pp2-never-send-local
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:7000 accept-proxy
    bind 127.0.0.1:7010,127.0.0.1:7011
    bind 127.0.0.1:7012 name web
    default_backend be
backend be
    server s0 127.0.0.1:7001 check
    server s1 127.0.0.1:7002 send-proxy check
    server s2 127.0.0.1:7003 send-proxy-v2 check
    server s3 127.0.0.1:7004 send-proxy send-proxy-v2 check port 9000
    server s4 127.0.0.1:7005 send-proxy check addr 127.0.0.2
`
	p := buildText(t, cfg)
	if n := notices(p); len(n) != 0 {
		t.Errorf("notices %q", n)
	}
	var got, checks []int
	for _, s := range p.Proxy.Backends[0].Servers {
		got = append(got, s.SendProxy)
	}
	for _, c := range p.Checks {
		checks = append(checks, c.SendProxy)
		if !c.SendProxyV2Addrs {
			t.Errorf("%s: pp2-never-send-local not mapped", c.Target.Server)
		}
	}
	if !reflect.DeepEqual(got, []int{0, 1, 2, 2, 1}) || !reflect.DeepEqual(checks, []int{0, 1, 2, 0, 0}) {
		t.Errorf("servers %v, checks %v", got, checks)
	}
	// HAProxy's error log lines name a listener by its bind name, else by
	// its number in the frontend (fe/1, fe/2, ...; observed with 2.6.12).
	wantNames := map[string]string{"127.0.0.1:7000": "1", "127.0.0.1:7010": "2", "127.0.0.1:7011": "3", "127.0.0.1:7012": "web"}
	if got := p.Proxy.Frontends[0].BindNames; !reflect.DeepEqual(got, wantNames) {
		t.Errorf("bind names %v", got)
	}
	if !p.Proxy.Frontends[0].AcceptProxy["127.0.0.1:7000"] || len(p.Proxy.Frontends[0].AcceptProxy) != 1 {
		t.Errorf("accept-proxy not mapped: %v", p.Proxy.Frontends[0].AcceptProxy)
	}
}

// TestDefaultsRulesReported: rules in a named defaults section run in the
// proxies inheriting it in HAProxy; the data path runs a proxy's own
// rules only, so they are reported, never dropped.
func TestDefaultsRulesReported(t *testing.T) {
	p := buildText(t, `defaults d1
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    tcp-request connection reject
    http-request deny
defaults d2
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe from d1
    bind 127.0.0.1:7000
    default_backend be
backend be from d2
    server s1 127.0.0.1:7001
`)
	var got []string
	for _, d := range p.Notices.List {
		got = append(got, strings.TrimPrefix(d.Text, "goha: "))
	}
	want := []string{
		"[test.cfg:6] : 'tcp-request connection reject in a defaults section' parsed but not supported yet.",
		"[test.cfg:7] : 'http-request deny in a defaults section' parsed but not supported yet.",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("notices %q lack %q", got, w)
		}
	}
}
