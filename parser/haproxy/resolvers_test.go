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
	if dns.Name != "dns" || len(dns.Nameservers) != 2 || dns.Nameservers[1] != (Nameserver{"ns2", "127.0.0.2:53", Pos{"r.cfg", 3}}) ||
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

// The implicit "default" section: made, last, from resolv.conf's
// nameservers when the file has no section of that name and resolv.conf
// lists one; else the references to it are reported as HAProxy 2.6.12
// reports them (measured with a bind-mounted /etc/resolv.conf).
func TestImplicitDefaultResolvers(t *testing.T) {
	const refs = `defaults
	mode http
	timeout connect 1s
	timeout client 1s
	timeout server 1s
frontend fe
	bind 127.0.0.1:8080
	http-request do-resolve(txn.ip,default) str(a.test)
	default_backend be
backend be
	server s a.test:80 resolvers default init-addr none
`
	noEnv := func(string) (string, bool) { return "", false }
	res := checkBytesWith("r.cfg", []byte("resolvers dns\n\tnameserver ns1 127.0.0.1:53\n"+refs), noEnv,
		readsAs("nameserver 127.0.0.9\nnameserver bad\nnameserver ::1\n"))
	if res.Exit != 0 || len(res.Config.Resolvers) != 2 || len(res.Diags.List) != 0 {
		t.Fatalf("exit %d, %d sections: %+v", res.Exit, len(res.Config.Resolvers), res.Diags.List)
	}
	d := res.Config.Resolvers[1]
	if d.Name != "default" || !d.Implicit || d.ParseResolvConf || d.Retries != 3 || d.TimeoutRetry != time.Second ||
		d.Hold["valid"] != 10*time.Second || len(d.Nameservers) != 2 ||
		d.Nameservers[0] != (Nameserver{"127.0.0.9", "127.0.0.9:53", Pos{"/etc/resolv.conf", 1}}) ||
		d.Nameservers[1] != (Nameserver{"::1", "[::1]:53", Pos{"/etc/resolv.conf", 3}}) {
		t.Errorf("implicit section: %+v", d)
	}
	// a section of the file named default is the one used
	res = checkBytesWith("r.cfg", []byte("resolvers default\n\tnameserver ns1 127.0.0.1:53\n"+refs), noEnv, readsAs("nameserver 127.0.0.9\n"))
	if res.Exit != 0 || len(res.Config.Resolvers) != 1 || res.Config.Resolvers[0].Implicit {
		t.Errorf("explicit default: exit %d, %+v", res.Exit, res.Config.Resolvers)
	}
	res = checkBytesWith("r.cfg", []byte(refs), noEnv, readsAs("nameserver\nnameserver bad\n"))
	want := "config : Proxy 'fe': Can't find resolvers section 'default' for do-resolve action.\n" +
		"config : backend 'be', server 's': unable to find required resolvers 'default'"
	if got := diagTexts(res); res.Exit != 1 || len(res.Config.Resolvers) != 0 || got != want {
		t.Errorf("no nameserver: exit %d, %d sections, messages:\n%s", res.Exit, len(res.Config.Resolvers), got)
	}
}

func diagTexts(res *Result) string {
	var got []string
	for _, m := range res.Diags.List {
		got = append(got, strings.Join(append([]string{m.Text}, m.Extra...), "\n"))
	}
	return strings.Join(got, "\n")
}

// parse-resolv-conf takes what HAProxy's takes, in statement order, and
// warns about what it leaves out in HAProxy 2.6.12's words (measured).
func TestParseResolvConf(t *testing.T) {
	cfg := "resolvers dns\n\tnameserver 10.0.0.1 10.0.0.1:53\n\tparse-resolv-conf\n\tnameserver last 10.0.0.9:53\n"
	conf := "# c\nsearch x\nnameserver 10.0.0.1 # a comment\nnameserver\t::1\nnameserver 10.0.0.2\nnameserver 10.0.0.2\n" +
		"nameservers 10.0.0.3\n nameserver 10.0.0.3\nnameserver\nnameserver bad\nnameserver 10.0.0.4\r\nnameserver"
	res := checkBytesWith("r.cfg", []byte(cfg), func(string) (string, bool) { return "", false }, readsAs(conf))
	var names []string
	for _, ns := range res.Config.Resolvers[0].Nameservers {
		names = append(names, ns.Name+"="+ns.Addr)
	}
	if got := strings.Join(names, " "); got != "10.0.0.1=10.0.0.1:53 ::1=[::1]:53 10.0.0.2=10.0.0.2:53 10.0.0.4=10.0.0.4:53 last=10.0.0.9:53" {
		t.Errorf("nameservers: %s", got)
	}
	want := `config : parsing [r.cfg:3]: 
        Parsing [/etc/resolv.conf:3] : generated name for /etc/resolv.conf nameserver '10.0.0.1' conflicts with another nameserver (declared at r.cfg:2), it appears to be a duplicate and will be excluded.
        Parsing [/etc/resolv.conf:6] : generated name for /etc/resolv.conf nameserver '10.0.0.2' conflicts with another nameserver (declared at /etc/resolv.conf:5), it appears to be a duplicate and will be excluded.
        parsing [/etc/resolv.conf:9] : nameserver line is missing address.
        parsing [/etc/resolv.conf:10] : address 'bad' could not be recognized, nameserver will be excluded.
        parsing [/etc/resolv.conf:12] : nameserver line is missing address.`
	if got := diagTexts(res); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	// a nameserver named as one before it: an alert per earlier one
	res = checkBytesWith("r.cfg", []byte("resolvers dns\n\tparse-resolv-conf\n\tnameserver 10.0.0.1 10.0.0.1:53\n"+
		"\tnameserver a 10.0.0.2:53\n\tnameserver a 10.0.0.3:53\n"), func(string) (string, bool) { return "", false },
		readsAs("nameserver 10.0.0.1\n"))
	want = "config : Parsing [r.cfg:3]: nameserver '10.0.0.1' has same name as another nameserver (declared at /etc/resolv.conf:1).\n" +
		"config : Parsing [r.cfg:5]: nameserver 'a' has same name as another nameserver (declared at r.cfg:4)."
	if got := diagTexts(res); res.Exit != 1 || got != want {
		t.Errorf("repeated names: exit %d, %s", res.Exit, got)
	}
	// a file that cannot be read: an alert at the line, a fatal file
	res = checkBytesWith("r.cfg", []byte(cfg), func(string) (string, bool) { return "", false }, func() (string, bool) { return "", false })
	if got := diagTexts(res); res.Exit != 1 || got != "config : parsing [r.cfg:3]: failed to open /etc/resolv.conf." {
		t.Errorf("unreadable: exit %d, %s", res.Exit, got)
	}
}

// readsAs is a resolv.conf lookup giving content.
func readsAs(content string) func() (string, bool) {
	return func() (string, bool) { return content, true }
}

// A resolvers name with a character HAProxy 2.6.12 does not take ends the
// parsing, with its message (measured).
func TestResolversNameChar(t *testing.T) {
	res := CheckBytes("r.cfg", []byte("resolvers d/ns\n\tnameserver a 127.0.0.1:53\nfrontend\n"), func(string) (string, bool) { return "", false })
	want := "config : parsing [r.cfg:1] : character '/' is not permitted in 'resolvers' name 'd/ns'."
	if got := diagTexts(res); res.Exit != 1 || got != want {
		t.Errorf("exit %d:\n%s", res.Exit, got)
	}
}
