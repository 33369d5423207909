package haproxy

import (
	"testing"
)

// TestFCGIAppTypedAndRefused: the fcgi-app statements goha runs are
// typed and accepted; the others (set-param, pass-header, acl,
// log-stderr, options get-values and mpxs-conns) are refused at -c with
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
	for _, line := range []string{"    set-param FOO bar", "    pass-header Authorization", "    acl a path /x",
		"    log-stderr global", "    option get-values", "    option mpxs-conns"} {
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
