package haproxy

import (
	"strings"
	"testing"
)

// tcp-check expect accepts "!" alone or glued to the pattern kind, and
// names the offending word as HAProxy 2.6.12 does (haproxy -c, compared by
// hand): "'!foo'" and "'! bar'" both complain about the kind.
func TestTCPCheckExpectNegation(t *testing.T) {
	head := "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n    option tcp-check\n"
	ok := CheckBytes("t.cfg", []byte(head+"    tcp-check expect ! string ERR\n    tcp-check expect !string ERR\n    tcp-check expect min-recv 3 !rstring ^E\n    server s 127.0.0.1:1 check\n"), nil)
	if ok.Exit == 1 {
		for _, d := range ok.Diags.List {
			t.Log(d.Text)
		}
		t.Fatal("negated expects refused")
	}
	if n := len(ok.Config.Proxies[0].TCPCheck.Rules); n != 3 {
		t.Errorf("%d tcp-check rules kept", n)
	}
	bad := CheckBytes("t.cfg", []byte(head+"    tcp-check expect !foo x\n    tcp-check expect ! bar x\n    server s 127.0.0.1:1 check\n"), nil)
	var got []string
	for _, d := range bad.Diags.List {
		if strings.Contains(d.Text, "but got") {
			got = append(got, d.Text[strings.Index(d.Text, "but got"):])
		}
	}
	if want := "but got 'foo' as argument..|but got 'bar' as argument.."; strings.Join(got, "|") != want {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// tcp-check and http-check lines that no check option uses are ignored
// with HAProxy's warnings, in its order among the proxy's warnings
// (haproxy -c 2.6.12 output, captured by hand); a check option given after
// the lines uses or drops them silently.
func TestUnusedCheckRulesWarnings(t *testing.T) {
	cfg := "global\n    log 127.0.0.1 local0\nlisten l\n    bind 127.0.0.1:18081\n    log global\n    option httplog\n    balance uri\n" +
		"    tcp-check send x\n    http-check send meth GET\n    http-request deny\n    server s 127.0.0.1:1 check\n" +
		"backend later\n    tcp-check send x\n    http-check send meth GET\n    option redis-check\n    timeout connect 1s\n    timeout server 1s\n    server s 127.0.0.1:1 check\n" +
		"backend other\n    option httpchk\n    tcp-check send x\n    timeout connect 1s\n    timeout server 1s\n    server s 127.0.0.1:1 check\n"
	res := CheckBytes("t.cfg", []byte(cfg), nil)
	var got []string
	for _, d := range res.Diags.List {
		if d.Severity == Warning {
			got = append(got, d.Text)
		}
	}
	want := []string{
		"config : Layer 7 hash not possible for proxy 'l' (needs 'mode http'). Falling back to round robin.",
		"config : parsing [t.cfg:6] : 'option httplog' not usable with proxy 'l' (needs 'mode http'). Falling back to 'option tcplog'.",
		"config : proxy 'l' uses http-check rules without 'option httpchk', so the rules are ignored.",
		"config : missing timeouts for proxy 'l'.",
		"config : proxy 'l' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
		"config : 'http-request' rules ignored for proxy 'l' as they require HTTP mode.",
		"config : backend 'other' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Check options and check rules in a frontend: HAProxy's capability
// warnings name the check option alone, print an empty "(null)" message
// after tcp-check lines and http-check disable-on-404/send-state, and warn
// about disable-on-404 without httpchk (haproxy -c 2.6.12, by hand).
func TestCheckKeywordsInFrontend(t *testing.T) {
	cfg := "frontend f\n    bind 127.0.0.1:18082\n    option httpchk\n    option mysql-check\n    option redis-check\n" +
		"    http-check send meth GET\n    http-check disable-on-404\n    tcp-check expect string x\n    timeout client 1s\n"
	res := CheckBytes("f.cfg", []byte(cfg), nil)
	var got []string
	for _, d := range res.Diags.List {
		if d.Severity == Warning {
			got = append(got, d.Text)
		}
	}
	want := []string{
		"config : parsing [f.cfg:3] : 'httpchk' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:4] : 'mysql-check' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:5] : 'redis-check' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:6] : 'http-check' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:7] : 'http-check' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:7] : (null)",
		"config : parsing [f.cfg:8] : 'tcp-check' ignored because frontend 'f' has no backend capability.",
		"config : parsing [f.cfg:8] : (null)",
		"config : frontend 'f' uses http-check rules without 'option httpchk', so the rules are ignored.",
		"config : 'disable-on-404' will be ignored for frontend 'f' (requires 'option httpchk').",
		"config : frontend 'f' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
