package haproxycmd

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestTCPContentCaptureBesideHAProxy: `tcp-request content capture
// <sample> len <n>` in an HTTP frontend beside HAProxy 2.6: the value,
// cut to len, goes to the slot its line makes among the frontend's
// (capture request header, declare capture, http-request capture ...
// len: in line order), shown by %hr, %hrl and capture.req.hdr; a
// condition that does not hold, or a content accept before it, leaves the
// slot empty.
func TestTCPContentCaptureBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	reqs := []string{"/a", "/skip", "/acc", "/long-path-value"}
	run := func(bin string) []string {
		logs := loopback.ListenUDP(t)
		fe := loopback.FreeAddr(t)
		cfg := syslogHTTPHead(logs.LocalAddr()) + `frontend fe
    bind ` + fe + `
    log-format "%hr|%hrl|%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]|%[capture.req.hdr(3)]"
    tcp-request content capture path len 6 unless { path /skip }
    capture request header host len 5
    tcp-request content accept if { path /acc }
    tcp-request content capture str(abc),upper len 10
    http-request capture str(zz) len 4
    http-request set-header x-cap "%[capture.req.hdr(0)]"
    default_backend b
backend b
    server s ` + web + `
`
		startWithConfig(t, bin, cfg, fe)
		drainSyslog(logs)
		var out []string
		for _, p := range reqs {
			resp := rawExchange(t, fe, "GET "+p+" HTTP/1.1\r\nHost: host.example\r\nConnection: close\r\n\r\n")
			status, _, _ := strings.Cut(resp, "\r\n")
			out = append(out, p+": "+status+" | "+nextSyslogLine(logs))
		}
		return out
	}
	want, got := run(haproxyBin), run(gohaproxy)
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("haproxy: %s\ngoha:    %s", want[i], got[min(i, len(got)-1)])
		} else {
			t.Log(want[i])
		}
	}
}
