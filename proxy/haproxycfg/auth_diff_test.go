package haproxycfg

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// requireRuns fails the test when goha would refuse cfg (an unsupported
// line, or no valid configuration at all: the policy says nothing then):
// a differential test of a feature must run the feature. Its binds need
// a valid port (nothing is bound).
func requireRuns(t *testing.T, cfg string) {
	t.Helper()
	res := haproxy.CheckBytes("test.cfg", []byte(cfg), nil)
	if res.Exit != 0 || res.Config == nil {
		t.Fatalf("the configuration does not parse: %+v", res.Diags.List)
	}
	res.Diags.List = append(res.Diags.List, Build(res.Config).Notices.List...)
	if haproxy.ApplyPolicy(res, false) {
		var msgs []string
		for _, d := range res.Diags.List {
			msgs = append(msgs, d.Text)
		}
		t.Fatalf("goha refuses the configuration:\n%s", strings.Join(msgs, "\n"))
	}
}

// authUserlist holds one user per crypt(3) method goha computes, with
// hashes made by Debian 12's crypt(3) (the one HAProxy 2.6.12 links), a
// clear-text user, and group membership given from both sides.
const authUserlist = `userlist L
    group adm users md5u,sha512u
    group ops
    user md5u password $1$Qd8H3kTz$jznsMpjSsW.AcZYBgdCAP1
    user sha256u password $5$rounds=1000$pQ2v9s$Kas4VTIA05lXmcsE/OBhezJQAdYR.fIyN6FEcJQ/ZE5 groups ops
    user sha512u password $6$Zx81bq7Lm0$vXdP3JT3DM/mPAmO/T9kk5ZNuDb8i1Yw6eK9kzDe4vk1US4wtndi5WvqVei.wyB7sNpxFisZQHo4AqpOA/062/
    user clear insecure-password pw groups ops,adm
`

func basic(userPass string) string {
	return base64.StdEncoding.EncodeToString([]byte(userPass))
}

// TestAuthDifferential: userlists, http-request auth and the http_auth*
// fetches beside HAProxy 2.6: the 401 challenge (realm given or the
// proxy's name), each hash kind with its right and a wrong password,
// groups, the credential parsing quirks, and the fetch values the server
// receives. Every connection's bytes and how it ends must be equal.
func TestAuthDifferential(t *testing.T) {
	t.Parallel()
	backend := startHeadRecorder(t)
	cfg := httpHead + authUserlist + `
frontend fe
    bind BIND
    acl admins http_auth_group(L) adm
    http-request set-header x-user %[http_auth_user] if { http_auth_user -m found }
    http-request set-header x-pass %[http_auth_pass] if { http_auth_pass -m found }
    http-request set-header x-type %[http_auth_type] if { http_auth_type -m found }
    http-request set-header x-ok 1 if { http_auth(L) }
    http-request set-header x-adm 1 if admins
    http-request auth realm "my realm" if { path_beg /r } !{ http_auth(L) }
    http-request auth if { path_beg /g } !admins
    http-request auth realm ops if { path_beg /o } !{ http_auth_group(L) ops adm }
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	creds := []string{
		"", "Basic " + basic("md5u:md5pw"), "Basic " + basic("md5u:wrong"),
		"Basic " + basic("sha256u:sha256pw"), "Basic " + basic("sha256u:sha256px"),
		"Basic " + basic("sha512u:sha512pw"), "Basic " + basic("sha512u:"),
		"Basic " + basic("clear:pw"), "Basic " + basic("clear:pw2"), "Basic " + basic("nobody:pw"),
		"basic " + basic("clear:pw"), "B " + basic("clear:pw"), "Basicx " + basic("clear:pw"),
		"Basic   " + basic("clear:pw"), "Basic " + basic("clear:pw") + ", Basic " + basic("md5u:md5pw"),
		"Basic " + basic("a:b:c"), "Basic " + basic("nocolon"), "Basic Y2xlYXI6cH", "Basic",
		"Bearer abc", "Bear abc", "Digest x=1",
	}
	var conns []string
	for _, c := range creds {
		hdr := ""
		if c != "" {
			hdr = "Authorization: " + c + "\r\n"
		}
		for _, path := range []string{"/r", "/g", "/o", "/x"} {
			// Connection: close ends each exchange at once (the
			// keep-alive forms are the ones below).
			conns = append(conns, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"+hdr+"\r\n")
		}
	}
	// Two Authorization fields: the first decides. HTTP/1.0 and pipelined
	// requests after a challenge.
	conns = append(conns,
		"GET /r HTTP/1.1\r\nHost: h\r\nAuthorization: Basic "+basic("clear:no")+"\r\nAuthorization: Basic "+basic("clear:pw")+"\r\n\r\n",
		"GET /r HTTP/1.0\r\n\r\n",
		"GET /r HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET /r HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\nAuthorization: Basic "+basic("sha512u:sha512pw")+"\r\n\r\n",
		"GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
	)
	for _, raw := range conns {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}

// TestAuthErrorfileDifferential: the challenge is built on the proxy's
// errorfile for 401 when it has one.
func TestAuthErrorfileDifferential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ef := filepath.Join(dir, "401.http")
	os.WriteFile(ef, []byte("HTTP/1.1 401 Nope\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nX-A: b\r\n\r\nno\n"), 0o644)
	backend := startHeadRecorder(t)
	cfg := httpHead + authUserlist + `
frontend fe
    bind BIND
    errorfile 401 ` + ef + `
    http-request auth realm a\"b if !{ http_auth(L) }
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic " + basic("clear:pw") + "\r\n\r\n",
	} {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}

// TestUserlistRefused: what goha cannot check is reported, never run as
// "no password matches": other crypt(3) methods, users without a
// password, and a userlist fetch naming no userlist.
func TestUserlistRefused(t *testing.T) {
	p := buildText(t, `userlist L
    user des password abkPcZGjMip9A
    user bc password $2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a
    user yes password $y$j9T$abc$def
    user nopw
    user ok password $6$Zx81bq7Lm0$vXdP3JT3DM/mPAmO/T9kk5ZNuDb8i1Yw6eK9kzDe4vk1US4wtndi5WvqVei.wyB7sNpxFisZQHo4AqpOA/062/
frontend fe
    mode http
    bind 127.0.0.1:7000
    timeout client 1s
    http-request set-header x %[http_auth(NOPE)]
    http-request auth realm a b
`)
	got := strings.Join(notices(p), "\n")
	for _, want := range []string{
		"[test.cfg:2] : 'userlist user 'des' password: a crypt(3) method other than $1$, $5$ or $6$'",
		"[test.cfg:3] : 'userlist user 'bc' password",
		"[test.cfg:4] : 'userlist user 'yes' password",
		"[test.cfg:5] : 'userlist user 'nopw' without a password'",
		"[test.cfg:11] : 'http-request set-header with a log-format value",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("notices lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "user 'ok'") {
		t.Errorf("a $6$ user was reported:\n%s", got)
	}
}
