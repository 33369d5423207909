package haproxycfg

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestStrictModeDifferential: a set-header whose field does not fit in
// the request's buffer fails; in strict mode (the default, or after
// strict-mode on) the request is answered 500 and logged PR, after
// http-request strict-mode off the field is left out and the rules go
// on; each request of a connection starts strict again.
func TestStrictModeDifferential(t *testing.T) {
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    http-request strict-mode off if { path /off /offon }
    http-request strict-mode on if { path /offon }
    http-request set-header x-copy %[req.hdr(x-a)]
    http-request add-header x-after yes
    http-request return status 200 content-type text/plain lf-string "copy=%[req.hdr(x-copy),length] after=%[req.hdr(x-after)]"
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	get := func(path string, n int) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) + "\r\n\r\n"
	}
	for _, raw := range []string{
		get("/", 100),
		get("/", 8000),
		get("/", 9000),
		get("/off", 9000),
		get("/offon", 9000),
		get("/off", 9000) + get("/", 9000),
		get("/off", 8117) + get("/", 100),
	} {
		want, wantEnd := exchangeFrom(t, "", ha, raw, 400*time.Millisecond)
		got, gotEnd := exchangeFrom(t, "", goha, raw, 400*time.Millisecond)
		if !bytes.Equal(want, got) || wantEnd != gotEnd {
			t.Errorf("%.40q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", raw, wantEnd, want, gotEnd, got)
		}
		if strings.HasPrefix(raw, "GET / HTTP/1.1\r\nHost: h\r\nx-a: "+strings.Repeat("a", 9000)) && !bytes.HasPrefix(want, []byte("HTTP/1.1 500")) {
			t.Errorf("haproxy answered %.60q", want)
		}
		for range strings.Count(raw, "GET ") {
			if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
				t.Errorf("%.40q: log\nhaproxy: %s\ngoha:    %s", raw, w, g)
			}
		}
	}
}
