package haproxy

import (
	"strings"
	"testing"
	"time"
)

func TestResolversTypedAndTemplates(t *testing.T) {
	cfg := `resolvers dns
	nameserver ns1 127.0.0.1:5353
	nameserver ns2 127.0.0.2:53
	accepted_payload_size 1232
	resolve_retries 2
	timeout resolve 200ms
	timeout retry 300ms
	hold valid 5s
	hold nx 600ms
resolvers bare
	parse-resolv-conf
defaults
	mode http
	timeout connect 1s
	timeout client 1s
	timeout server 1s
backend be
	server-template web 3 web.test:80 resolvers dns init-addr none
	server-template alt 5-6 10.0.0.1:81
`
	res := CheckBytes("r.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
	if res.Exit == 1 {
		t.Fatalf("exit 1: %+v", res.Diags.List)
	}
	if len(res.Config.Resolvers) != 2 {
		t.Fatalf("%d resolvers sections", len(res.Config.Resolvers))
	}
	dns, bare := res.Config.Resolvers[0], res.Config.Resolvers[1]
	if dns.Name != "dns" || len(dns.Nameservers) != 2 || dns.Nameservers[1] != (Nameserver{"ns2", "127.0.0.2:53"}) ||
		dns.PayloadSize != 1232 || dns.Retries != 2 || dns.TimeoutResolve != 200*time.Millisecond ||
		dns.TimeoutRetry != 300*time.Millisecond || dns.Hold["valid"] != 5*time.Second || dns.Hold["nx"] != 600*time.Millisecond ||
		dns.Hold["timeout"] != 30*time.Second {
		t.Errorf("dns: %+v", dns)
	}
	if !bare.ParseResolvConf || bare.Retries != 3 || bare.PayloadSize != 512 || bare.Hold["valid"] != 10*time.Second {
		t.Errorf("bare (defaults): %+v", bare)
	}
	var names []string
	for _, sv := range res.Config.Backends[0].Servers {
		names = append(names, sv.Name+"="+sv.Addr.Host)
	}
	if got := strings.Join(names, " "); got != "web1=web.test web2=web.test web3=web.test alt5=10.0.0.1 alt6=10.0.0.1" {
		t.Errorf("template servers: %s", got)
	}
}

// The alerts of malformed server-template lines, as HAProxy 2.6.12 words
// them.
func TestServerTemplateAlerts(t *testing.T) {
	for args, want := range map[string]string{
		"web":                 "config : [t.cfg:3] : 'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.",
		"web 3":               "config : [t.cfg:3] : 'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.",
		"web x web.test:80":   "config : [t.cfg:3] : Wrong server-template number or range arg 'x'.",
		"web 0 web.test:80":   "config : [t.cfg:3] : Wrong server-template number or range arg '0'.",
		"web 3-1 web.test:80": "config : [t.cfg:3] : Wrong server-template number or range arg '3-1'.",
	} {
		res := CheckBytes("t.cfg", []byte("backend be\n\tmode http\n\tserver-template "+args+"\n"), func(string) (string, bool) { return "", false })
		found := false
		for _, d := range res.Diags.List {
			found = found || d.Text == want
		}
		if !found || res.Exit == 0 {
			t.Errorf("%s: exit %d, %+v; want %q", args, res.Exit, res.Diags.List, want)
		}
	}
}
