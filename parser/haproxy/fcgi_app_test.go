package haproxy

import (
	"testing"
)

// TestFCGIAppTypedAndRefused: the fcgi-app statements goha runs are
// typed and accepted; the others (options get-values
// and mpxs-conns) are refused at -c with
// their file:line, as the fail-closed policy wants.
func TestFCGIAppTypedAndRefused(t *testing.T) {
	head := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfcgi-app php\n    docroot /var/www\n    index index.php\n    path-info ^(/.+\\.php)(/.*)?$\n    no option keep-conn\n"
	tail := "backend be\n    use-fcgi-app php\n    server s1 127.0.0.1:9000 proto fcgi\n"
	res := CheckBytes("f.cfg", []byte(head+tail), nil)
	if res.Exit != 0 || res.Config == nil {
		for _, d := range res.Diags.List {
			t.Log(d.Text)
		}
		t.Fatalf("exit %d", res.Exit)
	}
	a := res.Config.FCGIAppNamed("php")
	if a == nil || a.DocRoot != "/var/www" || a.Index != "index.php" || a.PathInfo != `^(/.+\.php)(/.*)?$` || a.KeepConn {
		t.Fatalf("typed app %+v", a)
	}
	if be := res.Config.Backends[0]; be.UseFCGIApp != "php" {
		t.Fatalf("use-fcgi-app %q", be.UseFCGIApp)
	}
	for _, line := range []string{"    option get-values", "    option mpxs-conns"} {
		res := CheckBytes("f.cfg", []byte(head+line+"\n"+tail), nil)
		refused := false
		for _, d := range res.Diags.List {
			if d.Goha && d.Line == 11 && d.Subject != "" {
				row, ok := lookupSubject(d.Subject)
				refused = refused || !ok || row.Class == Unsupported
			}
		}
		if !refused {
			t.Errorf("%q: not reported as unsupported at f.cfg:11: %+v", line, res.Diags.List)
		}
	}
}

// TestFCGIRulesTypedAndAlerts: set-param and pass-header rules are typed
// with their conditions, log-stderr lines as log targets, and their
// mistakes (and acl lines') get HAProxy 2.6.12's alerts
// (haproxy -c on the same lines, measured).
func TestFCGIRulesTypedAndAlerts(t *testing.T) {
	head := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfcgi-app php\n    docroot /var/www\n"
	tail := "backend be\n    use-fcgi-app php\n    server s1 127.0.0.1:9000 proto fcgi\n"
	res := CheckBytes("f.cfg", []byte(head+"    set-param X-A %[path] if METH_GET\n    pass-header Authorization unless { path / }\n"+
		"    log-stderr global\n    log-stderr 127.0.0.1:514 format rfc5424 local2 info\n"+tail), nil)
	if res.Config == nil {
		t.Fatalf("exit %d", res.Exit)
	}
	a := res.Config.FCGIAppNamed("php")
	if len(a.SetParams) != 1 || a.SetParams[0].Name != "X-A" || a.SetParams[0].Value != "%[path]" || a.SetParams[0].Cond == nil ||
		len(a.PassHeaders) != 1 || a.PassHeaders[0].Name != "Authorization" || a.PassHeaders[0].Cond == nil || !a.PassHeaders[0].Cond.Unless {
		t.Fatalf("typed rules %+v %+v", a.SetParams, a.PassHeaders)
	}
	if l := a.LogStderr; len(l) != 2 || !l[0].Global || l[1].Addr != "127.0.0.1:514" || l[1].Format != "rfc5424" || LogFacilities[l[1].Facility] != "local2" {
		t.Fatalf("log-stderr %+v", l)
	}
	for line, want := range map[string]string{
		"set-param X_B foo if nosuch":                "config : parsing [f.cfg:8] : 'X_B' : no such ACL : 'nosuch'.",
		"set-param X_C foo when x":                   "config : parsing [f.cfg:8] : 'X_C' : (null).",
		"set-param X_D":                              "config : parsing [f.cfg:8] : 'set-param' expects <name> and <value> as arguments.",
		"pass-header":                                "config : parsing [f.cfg:8] : 'pass-header' expects <name> as arguments.",
		"pass-header Authorization if { bad_fetch }": "config : parsing [f.cfg:8] : 'Authorization' : unknown fetch method 'bad_fetch' in ACL expression 'bad_fetch'.",
		"acl bad nosuchfetch":                        "config : parsing [f.cfg:8] : error detected while parsing ACL 'bad' : unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'.",
		"acl or path /":                              "config : parsing [f.cfg:8] : acl name 'or' will never match. 'or' is used to express a logical disjunction within a condition.",
		"log-stderr":                                 "config : parsing [f.cfg:8] : log-stderr : expects <address> and <facility> or global as arguments",
		"log-stderr 127.0.0.1 len 10 local0":         "config : parsing [f.cfg:8] : log-stderr : invalid log length '10', must be between 80 and 65535",
		"log-stderr 127.0.0.1:514 local0 bogus":      "config : parsing [f.cfg:8] : log-stderr : unknown optional log level 'bogus'",
		"log-stderr global extra":                    "config : parsing [f.cfg:8] : log-stderr : unknown log facility 'extra'",
		"log-stderr 127.0.0.1 format bogus local0":   "config : parsing [f.cfg:8] : log-stderr : unknown log format 'bogus'",
		"no log-stderr global":                       "config : parsing [f.cfg:8] : log-stderr : 'no log' does not expect arguments",
		"no log-stderr":                              "config : parsing [f.cfg:8]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
	} {
		res := CheckBytes("f.cfg", []byte(head+"    "+line+"\n"+tail), nil)
		found := false
		for _, d := range res.Diags.List {
			found = found || d.Text == want
		}
		if !found || res.Exit == 0 {
			t.Errorf("%q: exit %d, want alert %q in %+v", line, res.Exit, want, res.Diags.List)
		}
	}
}
