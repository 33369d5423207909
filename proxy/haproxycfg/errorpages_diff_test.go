package haproxycfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestErrorPagesDifferential: errorfile, errorloc/errorloc302/errorloc303,
// http-errors sections with errorfiles (all codes or some), http-error,
// defaults inheritance and the last-line-wins order, used by deny, return
// (default-errorfiles, errorfiles <name>) and by the errors after a
// server failed (backend's page, else the frontend's, else built-in),
// beside HAProxy 2.6, byte for byte at the client.
//
// After a 503 no server took, HAProxy keeps the client connection when the
// request was whole (as after the rules' answers): compared too.
func TestErrorPagesDifferential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e503 := file("e503", "HTTP/1.1 503 Down\r\nContent-Type: text/plain\r\nCache-Control: no-cache\r\nContent-Length: 5\r\nX-Mixed: V\r\n\r\ndown\n")
	e403 := file("e403", "HTTP/1.0 403 F\r\nContent-Length: 2\r\n\r\nf\n")
	e404 := file("e404", "HTTP/1.1 404 Nope\r\nContent-Length:   4 \r\nX-From: section\r\n\r\nnop\n")
	f400 := file("f400", "HTTP/1.1 400 Bad\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbad\n")
	f408 := file("f408", "HTTP/1.1 408 Slow\r\nContent-Length: 5\r\n\r\nslow\n")
	d502 := file("d502", "HTTP/1.1 502 From defaults\r\nContent-Length: 0\r\n\r\n")
	body := file("body", "<p>file body</p>\n")
	// Connection fields and bodies without a length (Debian's own
	// errorfiles are HTTP/1.0, "Connection: close", no content-length).
	g1 := file("g1", "HTTP/1.1 403 A\r\nConnection: close\r\nContent-Length: 2\r\n\r\na\n")
	g2 := file("g2", "HTTP/1.1 403 B\r\nContent-Type: text/plain\r\n\r\nbbb\n")
	g3 := file("g3", "HTTP/1.0 403 C\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nc\n")
	deb := file("deb", "HTTP/1.0 403 Forbidden\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n")
	cfg := `http-errors E
    errorfile 503 ` + e503 + `
    errorfile 403 ` + e403 + `
    errorfile 404 ` + e404 + `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    retries 0
    errorfile 502 ` + d502 + `
frontend fe
    bind BIND
    errorfile 400 ` + f400 + `
    errorfile 408 ` + f408 + `
    errorfiles E 404
    http-error status 429 content-type text/plain string "slow down" hdr x-h v
    http-error status 503 content-type text/html file ` + body + `
    http-error status 410 errorfiles E
    http-error status 502 default-errorfiles
    errorfile 403 ` + deb + `
    http-request deny if { path /d }
    http-request return errorfile ` + g1 + ` if { path /g1 }
    http-request return errorfile ` + g2 + ` if { path /g2 }
    http-request return errorfile ` + g3 + ` if { path /g3 }
    http-request deny deny_status 404 if { path /d404 }
    http-request deny deny_status 400 if { path /d400 }
    http-request deny deny_status 408 if { path /d408 }
    http-request deny deny_status 429 if { path /d429 }
    http-request deny deny_status 410 if { path /d410 }
    http-request deny deny_status 502 if { path /d502 }
    http-request return status 503 default-errorfiles if { path /r503 }
    http-request return status 403 errorfiles E if { path /r403 }
    http-request return status 404 errorfiles E if { path /r404 }
    http-request return status 500 errorfiles E if { path /r500 }
    http-request return status 429 default-errorfiles if { path /r429 }
    http-request return status 404 content-type text/plain errorfile ` + e404 + ` if { path /ref }
    use_backend b1 if { path_beg /b1 }
    use_backend b2 if { path_beg /b2 }
    use_backend b3 if { path_beg /b3 }
    use_backend b4 if { path_beg /b4 }
    use_backend b5 if { path_beg /b5 }
    default_backend b6
backend b1
    errorloc 503 http://example.com/sorry
    server s 127.0.0.1:1
backend b2
    errorloc303 503 /sorry?x=1
    server s 127.0.0.1:1
backend b3
    errorfiles E 503
    server s 127.0.0.1:1
backend b4
    http-error status 503 content-type text/plain string down hdr Retry-After 5
    server s 127.0.0.1:1
backend b5
    errorfile 503 ` + e503 + `
    errorloc302 503 /last-wins
    server s 127.0.0.1:1
backend b6
    server s 127.0.0.1:1
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n" }
	var whole []string // bytes and how the connection ends
	for _, p := range []string{"/d", "/d404", "/d400", "/d408", "/d429", "/d410", "/d502", "/r503", "/r403",
		"/r404", "/r500", "/r429", "/ref", "/g1", "/g2", "/g3"} {
		// Connection: close keeps the test short; the keep-alive forms
		// follow.
		whole = append(whole, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET "+p+" HTTP/1.0\r\n\r\n")
	}
	whole = append(whole, get("/d")+get("/d400"), get("/d408")+get("/r403")+get("/ref"), get("/r500")+get("/d429"),
		get("/g3")+get("/g1"), get("/g2"), "GET /g1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	// The H1 parser's own 400 is HAProxy's built-in page, errorfile or not.
	whole = append(whole, "GET / HTTP/1.1\r\nHost: h\r\nbad header\r\n\r\n")
	for _, raw := range whole {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
	var backendRows []string
	for _, p := range []string{"/b1", "/b2", "/b3", "/b4", "/b5", "/b6"} {
		backendRows = append(backendRows, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET "+p+" HTTP/1.0\r\n\r\n")
	}
	backendRows = append(backendRows, get("/b1")+get("/b3"), "GET /b6 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST /b4 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"+get("/b2"), "POST /b4 HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nabc")
	for _, raw := range backendRows {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}
