package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// h2TEConfig runs response rules, a capture and a backend's del-header
// on the transfer-encoding field of the answers of an HTTP/2 server.
const h2TEConfig = `global
    log LOGADDR local0
defaults
    mode http
    log global
    log-format "%ST %B %U %ts %b/%s %HM %HU %hs"
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind FE
    bind FE2 proto h2
    capture response header transfer-encoding len 20
    http-response set-header x-te-cnt %[res.hdr_cnt(transfer-encoding)]
    http-response set-header x-te "<%[res.hdr(transfer-encoding)]>"
    http-response set-header x-names "%[res.hdr_names]"
    http-response add-header x-after after
    use_backend del if { path_beg /del/ }
    default_backend be
backend be
    server s1 ORIGIN proto h2
backend del
    http-request set-path /nolen
    http-response del-header transfer-encoding
    http-response set-header x-te-del %[res.hdr_cnt(transfer-encoding)]
    server s1 ORIGIN proto h2
`

// TestH2ServerResponseTEMatchesHAProxy: the answer of an HTTP/2 server
// without content-length has no transfer-encoding field for HAProxy's
// http-response rules (res.hdr_cnt 0, res.hdr empty, not among
// res.hdr_names), its captures or a del-header; its HTTP/1 output
// chunks it with the field after its own (the rules' fields before it).
// goha's rules see what HAProxy 2.6.12's see and the client gets the
// same bytes, HTTP/1.1, HTTP/1.0 and HTTP/2; the log lines match.
func TestH2ServerResponseTEMatchesHAProxy(t *testing.T) {
	t.Parallel()
	ha, goha := startH2DetailsPair(t, h2TEConfig)
	for _, path := range []string{"/nolen", "/len", "/trailers", "/empty", "/del/x"} {
		for _, ver := range []string{"HTTP/1.1", "HTTP/1.0"} {
			raw := "GET " + path + " " + ver + "\r\nHost: h\r\nConnection: close\r\n\r\n"
			want, got := exchangeText(ha.fe, raw), exchangeText(goha.fe, raw)
			wl, gl := fmt.Sprint(ha.logs()), fmt.Sprint(goha.logs())
			t.Logf("%s %s:\nhaproxy: %q %s\ngoha:    %q %s", ver, path, want, wl, got, gl)
			if want != got || wl != gl {
				t.Errorf("%s %s:\nhaproxy: %q %s\ngoha:    %q %s", ver, path, want, wl, got, gl)
			}
		}
		want := h2Ask(ha.fe2, "", ":method", "GET", ":scheme", "http", ":authority", "h", ":path", path)
		got := h2Ask(goha.fe2, "", ":method", "GET", ":scheme", "http", ":authority", "h", ":path", path)
		wl, gl := fmt.Sprint(ha.logs()), fmt.Sprint(goha.logs())
		wl = strings.ReplaceAll(wl, ha.fe2, "FE2")
		gl = strings.ReplaceAll(gl, goha.fe2, "FE2")
		if want != got || wl != gl {
			t.Errorf("HTTP/2 %s:\nhaproxy: %q %s\ngoha:    %q %s", path, want, wl, got, gl)
		}
	}
}
