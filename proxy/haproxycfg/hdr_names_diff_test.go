package haproxycfg

import (
	"strings"
	"testing"
	"time"
)

// TestRestrictReqHdrNamesDifferential: option http-restrict-req-hdr-names
// beside HAProxy 2.6. delete removes the fields whose names hold a byte
// other than a letter, a digit or '-' after the frontend's http-request
// rules (which still read them, and whose own such fields go too) and
// before use_backend; reject denies the request (403, PR--) after the
// rules (a return still answers) and before the stats page and redirect
// rules; a backend's policy applies once the request is routed to it; a
// defaults section's is inherited. Compared: the answers, which carry the
// head the server received (startHeadRecorder), and the log lines.
func TestRestrictReqHdrNamesDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	req := func(path string, fields ...string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + strings.Join(fields, "\r\n") + "\r\nConnection: close\r\n\r\n"
	}
	bad := []string{"x_a: 1", "X.b: 2", "x-Ok9: 3", "x+c: 4", "x~d: 5"}
	for _, c := range []struct {
		name, cfg string
		reqs      []string
	}{{
		name: "frontend delete from defaults",
		cfg: strings.Replace(httplogFrontend, "defaults\n", "defaults\n    option http-restrict-req-hdr-names delete\n", 1) + `    http-request set-header x-seen %[req.hdr(x_a)]
    http-request set-header x_added 1
    use_backend b2 if { req.hdr(x_a) -m found }
    default_backend b1
backend b1
    server s1 REC
backend b2
    server s1 REC
`,
		reqs: []string{req("/", bad...), req("/", "x-fine: 1"), req("/", "x_only: 1")},
	}, {
		name: "backend policies",
		cfg: httplogFrontend + `    option http-restrict-req-hdr-names preserve
    use_backend brej if { path_beg /rej }
    use_backend bdel if { path_beg /del }
    default_backend b1
backend b1
    server s1 REC
backend brej
    option http-restrict-req-hdr-names reject
    server s1 REC
backend bdel
    option http-restrict-req-hdr-names delete
    server s1 REC
`,
		reqs: []string{req("/", bad...), req("/rej", bad...), req("/rej", "x-fine: 1"), req("/del", bad...)},
	}, {
		name: "listen reject",
		cfg: strings.Replace(httplogFrontend, "frontend fe", "listen fe", 1) + `    option http-restrict-req-hdr-names reject
    http-request return status 200 content-type text/plain string ret if { path /ret }
    http-request set-header x_added 1 if { path /add }
    stats enable
    stats uri /stats
    redirect location /else if { path /redir }
    server s1 REC
`,
		reqs: []string{req("/", bad...), req("/", "x-fine: 1"), req("/ret", "x_a: 1"), req("/add"), req("/stats", "x_a: 1"),
			req("/redir", "x_a: 1"), req("/redir", "x-ok: 1")},
	}} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			ha, goha, haLog, goLog := startBothLogged(t, strings.ReplaceAll(c.cfg, "REC", rec))
			for _, raw := range c.reqs {
				label := c.name + ": " + strings.SplitN(raw, "\r\n", 2)[0] + " " + strings.Join(strings.Split(raw, "\r\n")[2:], "|")
				sameAnswer(t, label, ha, goha, raw, time.Second)
				sameLogLines(t, label, haLog, goLog, 1)
			}
		})
	}
}

// TestAnyMethodPayloadDifferential: an HTTP/1.0 GET, HEAD or DELETE with
// a payload (a non-zero Content-Length or a chunked body) is refused with
// a 413 and logged PR, other methods, HTTP/1.1 and an empty body are not;
// with h1-accept-payload-with-any-method every one reaches the server.
// Compared: answers (the head the server got) and log lines.
func TestAnyMethodPayloadDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	reqs := []string{
		"GET / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
		"HEAD / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"DELETE / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"OPTIONS / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"get / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
	}
	for _, global := range []string{"", "    h1-accept-payload-with-any-method\n"} {
		t.Run(strings.TrimSpace(global+"default"), func(t *testing.T) {
			cfg := strings.Replace(httplogFrontend, "global\n", "global\n"+global, 1) + "    default_backend b\nbackend b\n    server s1 " + rec + "\n"
			ha, goha, haLog, goLog := startBothLogged(t, cfg)
			for _, raw := range reqs {
				label := global + strings.SplitN(raw, "\r\n", 2)[0] + " " + strings.Split(raw, "\r\n")[1]
				sameAnswer(t, label, ha, goha, raw, time.Second)
				sameLogLines(t, label, haLog, goLog, 1)
			}
		})
	}
}
