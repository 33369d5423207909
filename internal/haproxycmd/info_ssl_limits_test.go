package haproxycmd

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Global maxsslconn and maxsslrate without TLS limit nothing, and `show
// info` shows them as HAProxy 2.6 does (MaxSslConns, SslRateLimit; 0 when
// unset). `set rate-limit ssl-sessions global` cannot change what goha
// shows: refused while a limit is set (HAProxy would set it), accepted
// as 0 without one, as HAProxy.
func TestShowInfoSSLLimitsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	for _, global := range []string{"    maxsslconn 5\n    maxsslrate 7\n", ""} {
		var socks [2]string
		for i, bin := range []string{"haproxy", gohaproxy} {
			dir, bind := t.TempDir(), loopback.FreeAddr(t)
			cfg := strings.Replace(fmt.Sprintf(adminHead, dir), "defaults\n", global+"defaults\n", 1) +
				fmt.Sprintf("frontend fe\n    bind %s\n    http-request return status 200\n", bind)
			startWithConfig(t, bin, cfg, bind)
			socks[i] = filepath.Join(dir, "s.sock")
		}
		for _, f := range []string{"MaxSslConns", "SslRateLimit", "CurrSslConns", "CumSslConns"} {
			ha, goha := haproxytest.ShowInfoField(t, socks[0], f), haproxytest.ShowInfoField(t, socks[1], f)
			if ha != goha {
				t.Errorf("%q: show info %s: haproxy %q goha %q", global, f, ha, goha)
			}
			if global != "" && f == "MaxSslConns" && ha != "5" {
				t.Errorf("haproxy's MaxSslConns %q, want 5", ha)
			}
		}
		want := "This command is not supported by goha.\n\n"
		if global == "" {
			want = haproxytest.StatsCmd(t, socks[0], "set rate-limit ssl-sessions global 0")
		}
		if got := haproxytest.StatsCmd(t, socks[1], "set rate-limit ssl-sessions global 0"); got != want {
			t.Errorf("%q: set rate-limit ssl-sessions global 0: goha %q, want %q", global, got, want)
		}
	}
}
