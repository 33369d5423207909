package haproxycfg

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestUseProxyHeaderDifferential: option http-use-proxy-header changes
// nothing in HAProxy 2.6 (its HTX analyser sets a flag no later step
// reads; the H1 layer decides keep-alive from Connection alone): the same
// absolute-form and origin-form requests with Proxy-Connection get the
// same bytes at the server and the client, and the same connection end,
// with and without it, in both daemons.
func TestUseProxyHeaderDifferential(t *testing.T) {
	t.Parallel()
	echo := requestLineEcho(t)
	cfg := httpHead + `frontend fe
    bind BIND
    OPTION
    default_backend web
backend web
    server w1 ` + echo.Addr().String() + `
`
	reqs := []string{
		"GET http://x/a HTTP/1.1\r\nHost: x\r\nProxy-Connection: close\r\n\r\n",
		"GET http://x/a HTTP/1.0\r\nHost: x\r\nProxy-Connection: keep-alive\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\nProxy-Connection: close\r\n\r\n",
		"GET http://x/a HTTP/1.1\r\nHost: x\r\nProxy-Connection: keep-alive\r\nConnection: close\r\n\r\n",
	}
	var runs [][]string
	for _, opt := range []string{"", "option http-use-proxy-header"} {
		ha, goha := startBoth(t, strings.Replace(cfg, "OPTION", opt, 1))
		var run []string
		for _, raw := range reqs {
			want, wantEnd := exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
			got, gotEnd := exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
			if !bytes.Equal(want, got) || wantEnd != gotEnd {
				t.Errorf("[%s] %q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", opt, raw, wantEnd, want, gotEnd, got)
			}
			run = append(run, wantEnd+" "+string(want))
		}
		runs = append(runs, run)
	}
	for i := range reqs {
		if runs[0][i] != runs[1][i] {
			t.Errorf("haproxy answered %q differently with the option:\n%s\n%s", reqs[i], runs[0][i], runs[1][i])
		}
	}
}
