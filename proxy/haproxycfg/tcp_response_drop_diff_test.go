package haproxycfg

import (
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestTCPResponseSilentDropDifferential: tcp-response content
// silent-drop in tcp mode beside HAProxy 2.6: what the client sees
// (nothing), the log line (PR, no byte) and the counters (a denied
// request).
func TestTCPResponseSilentDropDifferential(t *testing.T) {
	web := webs3(t)[0]
	cfg := loggedHead + `listen fe
    mode tcp
    option tcplog
    bind BIND
    tcp-response content silent-drop if { src 127.0.0.1 }
    server s1 ` + web + "\n"
	req := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	want, got := observeBoth(t, ha, goha, req)
	t.Logf("client: %s", want)
	if want != got {
		t.Errorf("client\nhaproxy: %s\ngoha:    %s", want, got)
	}
	if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
		t.Errorf("log\nhaproxy: %s\ngoha:    %s", w, g)
	}
	compareDropStats(t, base, haproxytest.StatsCmd(t, sock, "show stat"), px)
}
