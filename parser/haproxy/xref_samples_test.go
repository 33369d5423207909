package haproxy

import (
	"strings"
	"testing"
)

// TestSampleProxyRefs: the proxy and server names of nbsrv, srv_*, fe_*
// ... are resolved as HAProxy 2.6.12 resolves them; the messages are
// the ones its `haproxy -c` printed for this configuration.
func TestSampleProxyRefs(t *testing.T) {
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 7s
frontend fe
    bind 127.0.0.1:18001
    acl a nbsrv(nope) gt 0
    acl b srv_conn(be/zz) gt 0
    acl c fe_conn(be) gt 0
    acl ok1 nbsrv(be) gt 0
    acl ok2 srv_is_up(be/s) -m bool
    acl ok3 fe_sess_rate gt 0
    http-request deny if { nbsrv gt 0 }
    http-request return status 200 content-type text/plain lf-string "%[srv_is_up(x)] %{+Q}[be_conn(nope2)] %[srv_weight(li/t)]"
    http-request deny if a || b || c || ok1 || ok2 || ok3
    default_backend be
backend be
    server s 127.0.0.1:1
listen li
    bind 127.0.0.1:18002
    acl d nbsrv gt 0
    acl e srv_conn(t) gt 0
    acl f srv_conn(u) gt 0
    http-request deny if d || e || f
    server t 127.0.0.1:1
`
	res := CheckBytes("t.cfg", []byte(cfg), nil)
	var got []string
	for _, d := range res.Diags.List {
		if strings.Contains(d.Text, "referenced in arg") || strings.Contains(d.Text, "missing server") {
			got = append(got, d.Text)
		}
	}
	// One alert for fe's six, as HAProxy groups a proxy's errors.
	want := []string{
		"config : multiple argument resolution errors:" +
			"\n        parsing [t.cfg:8]: unable to find backend 'nope' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'fe'." +
			"\n        parsing [t.cfg:9]: unable to find server 'zz' in proxy 'be', referenced in arg 1 of ACL keyword 'srv_conn' in proxy 'fe'." +
			"\n        parsing [t.cfg:10]: unable to find frontend 'be' referenced in arg 1 of ACL keyword 'fe_conn' in proxy 'fe'." +
			"\n        parsing [t.cfg:14]: proxy 'fe', referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'fe', has not backend capability." +
			"\n        parsing [t.cfg:15]: unable to find server 'x' in proxy 'fe', referenced in arg 1 of sample fetch keyword 'srv_is_up' in http-request expression in proxy 'fe'." +
			"\n        parsing [t.cfg:15]: unable to find backend 'nope2' referenced in arg 1 of sample fetch keyword 'be_conn' in http-request expression in proxy 'fe'.",
		"config : parsing [t.cfg:24]: unable to find server 'u' in proxy 'li', referenced in arg 1 of ACL keyword 'srv_conn' in proxy 'li'.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Exit == 0 {
		t.Error("the configuration was accepted")
	}
}

func TestFormatSamples(t *testing.T) {
	got := formatSamples(`a %{+Q}[x(1)] %[y,z(2)] %[req.hdr(a),map(/f)] %% %[w[0]] %{Q}`)
	want := []string{"x(1)", "y,z(2)", "req.hdr(a),map(/f)", "w[0]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
}

// TestSampleProxyRefsTCPAndUseBackend: the conditions of tcp-request
// rules and use_backend are checked too (HAProxy 2.6.12's messages).
func TestSampleProxyRefsTCPAndUseBackend(t *testing.T) {
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 7s
frontend fe
    bind 127.0.0.1:18001
    tcp-request connection reject if { nbsrv(nope) lt 1 }
    use_backend be if { srv_is_up(be/zz) }
    default_backend be
backend be
    server s 127.0.0.1:1
`
	res := CheckBytes("t.cfg", []byte(cfg), nil)
	var got []string
	for _, d := range res.Diags.List {
		if strings.Contains(d.Text, "referenced in arg") {
			got = append(got, d.Text)
		}
	}
	want := []string{
		"config : multiple argument resolution errors:" +
			"\n        parsing [t.cfg:8]: unable to find backend 'nope' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'fe'." +
			"\n        parsing [t.cfg:9]: unable to find server 'zz' in proxy 'be', referenced in arg 1 of ACL keyword 'srv_is_up' in proxy 'fe'.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || res.Exit == 0 {
		t.Errorf("exit %d, got\n%s", res.Exit, strings.Join(got, "\n"))
	}
}
