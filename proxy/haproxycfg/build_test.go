package haproxycfg

import (
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/logfmt"
)

func buildText(t *testing.T, cfg string) *Plan {
	t.Helper()
	res := haproxy.CheckBytes("test.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
	if res.Exit == 1 {
		for _, d := range res.Diags.List {
			t.Log(d.Text)
		}
		t.Fatalf("config rejected by the parser")
	}
	return Build(res.Config)
}

func notices(p *Plan) []string {
	var out []string
	for _, d := range p.Notices.List {
		out = append(out, d.Text)
	}
	return out
}

func TestSeed(t *testing.T) {
	data, err := os.ReadFile("../../testdata/seed/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	p := buildText(t, string(data))
	timeouts := proxy.Timeouts{Client: time.Minute, Server: time.Minute, Connect: 10 * time.Second,
		HTTPRequest: 10 * time.Second, HTTPKeepAlive: 10 * time.Second, Queue: time.Minute,
		Tarpit: 10 * time.Second} // timeout connect, as HAProxy when timeout tarpit is unset
	ff := proxy.ForwardFor{Enabled: true, Header: "X-Forwarded-For", Except: netip.MustParsePrefix("127.0.0.0/8")}
	want := &proxy.Config{
		MaxConn: 4000, CompMaxLevel: 1,
		Frontends: []*proxy.Frontend{{
			Name: "main", ID: 2, Binds: []string{"0.0.0.0:80"}, Mode: proxy.ModeHTTP, MaxConn: 3000,
			Timeouts: timeouts, ConnMode: proxy.ServerClose, ForwardFor: ff, DefaultBackend: "servers",
			BindNames: map[string]string{"0.0.0.0:80": "1"}, BindIDs: map[string]int{"0.0.0.0:80": 1},
		}},
		Backends: []*proxy.Backend{{
			Name: "servers", ID: 3, Mode: proxy.ModeHTTP, Timeouts: timeouts, ConnMode: proxy.ServerClose,
			ForwardFor: ff, Retries: 3, Redispatch: true, RedispatchEvery: -1, Balance: balance.Spec{Algorithm: "roundrobin"},
			Servers: []*proxy.Server{
				{Name: "web1", Addr: "192.168.110.33:80", Weight: 1},
				{Name: "web2", Addr: "192.168.110.33:81", Weight: 1},
				{Name: "web3", Addr: "192.168.110.33:82", Weight: 1},
			},
		}},
	}
	if !reflect.DeepEqual(p.Proxy, want) {
		t.Errorf("proxy config:\n got %+v\nwant %+v", dump(p.Proxy), dump(want))
	}
	if want := []Section{{Name: "main", Frontend: true, HTTP: true}, {Name: "servers", Backend: true, HTTP: true}}; !reflect.DeepEqual(p.Sections, want) {
		t.Errorf("sections = %+v", p.Sections)
	}
	wantProc := Process{Daemon: true, Pidfile: "/var/run/haproxy.pid", Chroot: "/var/lib/haproxy", User: "haproxy", Group: "haproxy", ReusePort: true, StrictLimits: true}
	if p.Process != wantProc {
		t.Errorf("process = %+v", p.Process)
	}
	if len(p.StatsSockets) != 1 || p.StatsSockets[0].Addr.Path != "/var/lib/haproxy/stats" {
		t.Errorf("stats sockets = %+v", p.StatsSockets)
	}
	gl := []LogTarget{{Pos: haproxy.Pos{File: "test.cfg", Line: 26}, Target: logfmt.Target{Network: "udp", Addr: "127.0.0.1:514",
		MaxLen: 1024, Facility: 18, MaxLevel: logfmt.Debug, MinLevel: logfmt.Emerg}}}
	if !reflect.DeepEqual(p.GlobalLogs, gl) {
		t.Errorf("global logs = %+v", p.GlobalLogs)
	}
	if l := p.Logs["main"]; l == nil || l.Format != "httplog" || !l.DontLogNull || !reflect.DeepEqual(l.Targets, gl) {
		t.Errorf("main logs = %+v", l)
	}
	if len(p.Checks) != 0 {
		t.Errorf("checks = %+v", p.Checks)
	}
	if got := balanceOf(p, "servers"); !reflect.DeepEqual(got, balance.Spec{Algorithm: "roundrobin", Options: got.Options}) || got.Options.AllBackups {
		t.Errorf("balance = %+v", got)
	}
	if n := notices(p); len(n) != 0 {
		t.Errorf("seed notices: %q", n)
	}
}

func dump(c *proxy.Config) string {
	var b strings.Builder
	for _, f := range c.Frontends {
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(sprint(f), "\n", " ")) + "; ")
	}
	for _, be := range c.Backends {
		b.WriteString(sprint(be) + "; ")
		for _, s := range be.Servers {
			b.WriteString(sprint(s) + " ")
		}
	}
	return b.String()
}

// balanceOf is the balance.Spec the plan gives backend name.
func balanceOf(p *Plan, name string) balance.Spec {
	for _, be := range p.Proxy.Backends {
		if be.Name == name {
			return be.Balance
		}
	}
	return balance.Spec{}
}
