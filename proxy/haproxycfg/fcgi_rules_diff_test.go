package haproxycfg

import "testing"

// TestFCGIRulesMatchesHAProxy: an fcgi-app's set-param and pass-header
// rules through both daemons, one recording application behind them: the
// same PARAMS for set-param values (log-format, a variable an
// http-request rule set, an empty value, conditions with if and unless,
// the last rule of a name winning, names normalised and in byte order
// after the header fields) overriding the built-in params or not
// (REQUEST_METHOD is not replaced, HAProxy keys it "request_meth"), and
// for pass-header rules passing hidden header fields, with conditions
// (anonymous ACLs, predefined ones, and the section's acl lines, two of
// one name OR-ed).
func TestFCGIRulesMatchesHAProxy(t *testing.T) {
	rec := startFCGIRecorder(t)
	cfg := httpLogHead + `fcgi-app php
    docroot /var/www
    index index.php
    acl getter method GET
    acl getter path_beg /cl
    set-param NAMED yes if getter !{ path /sw }
    set-param SCRIPT_FILENAME /srv%[path] if { path_beg /over }
    set-param x-custom.Name %[req.hdr(host)]-%[method]
    set-param EMPTY %[req.hdr(nope)]
    set-param DOCUMENT_ROOT /other if { hdr(x-doc) -m found }
    set-param REQUEST_METHOD PATCH
    set-param a_first 1
    set-param A-FIRST 2 unless { path / }
    set-param REMOTE_USER bob if { hdr(x-bob) -m found }
    set-param SCRIPT_NAME /s.php if { path_beg /sn } || { path_beg /all }
    set-param PATH_INFO /pi if { path_beg /pi } || { path_beg /all }
    set-param QUERY_STRING q=1 if { path_beg /qs } || { path_beg /all }
    set-param SERVER_SOFTWARE me if { path_beg /sw }
    set-param CONTENT_LENGTH 99 if { path_beg /cl }
    set-param HTTPS on if { path_beg /https }
    set-param SERVER_NAME sn if { path_beg /https }
    set-param FROMVAR %[var(txn.v)]
    set-param zz "two words" if METH_GET
    pass-header Authorization if { hdr(x-pass) -m found }
    pass-header x-foo
    pass-header TE
    pass-header Proxy unless { path / }
frontend fe
    bind BIND
    default_backend be
backend be
    http-request set-var(txn.v) str(fromrule) if { path_beg /sn }
    use-fcgi-app php
    server s1 ` + rec.addr + ` proto fcgi
`
	fcgiCompare(t, rec, cfg, "rules", []string{
		"GET /over/x.php HTTP/1.1\r\nHost: fcgi.test\r\nX-Bob: 1\r\nX-Doc: 1\r\nAuthorization: Basic dXNlcjpwYXNz\r\nConnection: close\r\n\r\n",
		"GET /sn/a/b?z=1 HTTP/1.1\r\nHost: fcgi.test\r\nX-Pass: 1\r\nAuthorization: Basic dXNlcjpwYXNz\r\nTE: trailers\r\nProxy: p\r\nX-Foo: f\r\nConnection: close\r\n\r\n",
		"GET /qs/?x=2 HTTP/1.1\r\nHost: fcgi.test\r\nProxy: p\r\nConnection: close\r\n\r\n",
		"GET /pi/x.php HTTP/1.1\r\nHost: fcgi.test\r\nConnection: close\r\n\r\n",
		"GET /sw HTTP/1.1\r\nHost: fcgi.test\r\nConnection: close\r\n\r\n",
		"POST /cl HTTP/1.1\r\nHost: fcgi.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"GET / HTTP/1.1\r\nHost: fcgi.test\r\nProxy: p\r\nConnection: close\r\n\r\n",
		"GET /https HTTP/1.0\r\n\r\n",
		"GET /all/x HTTP/1.1\r\nHost: fcgi.test\r\nConnection: close\r\n\r\n",
	})
}
