package haproxycmd

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// `show errors` with tune.bufsize 8200 (HAProxy rounds it to 8208): a
// whole request head too large for the HTX buffer less tune.maxrewrite,
// and one still unfinished when the input buffer is full. The buffer
// figures (free, len, wraps at) follow the configured size. Then an
// HTTP/1.0 GET with a payload, refused with a 413.
func TestShowErrorsBufsizeMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	type inst struct{ fe, sock string }
	start := func(bin string) inst {
		in := inst{loopback.FreeAddr(t), filepath.Join(t.TempDir(), "s.sock")}
		startWithConfig(t, bin, fmt.Sprintf(`global
    stats socket %s level admin
    tune.bufsize 8200
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    http-request return status 200
`, in.sock, in.fe), in.fe)
		return in
	}
	ha, goha := start("haproxy"), start(gohaproxy)
	mask := regexp.MustCompile(`\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]|(src 127\.0\.0\.1:)\d+`)
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 7200) + "\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 9000),
		// h1-accept-payload-with-any-method not set: a 413
		"GET / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
		"HEAD / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	} {
		hr, gr := sendRaw(t, ha.fe, raw), sendRaw(t, goha.fe, raw)
		if st := func(s string) string { return strings.SplitN(s, "\r\n", 2)[0] }; st(hr) != st(gr) || !strings.HasPrefix(hr, "HTTP/1.1 4") {
			t.Errorf("%.40q: haproxy %q, goha %q", raw, st(hr), st(gr))
		}
		h := mask.ReplaceAllString(haproxytest.StatsCmd(t, ha.sock, "show errors"), "[date]${1}port")
		g := mask.ReplaceAllString(haproxytest.StatsCmd(t, goha.sock, "show errors"), "[date]${1}port")
		if !strings.Contains(h, "wraps at") {
			t.Errorf("haproxy captured nothing: %q", h)
		}
		if h != g {
			diffLines(t, fmt.Sprintf("%.40q", raw), strings.Split(h, "\n"), strings.Split(g, "\n"))
		}
	}
}
