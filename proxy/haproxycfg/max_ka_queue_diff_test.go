package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestMaxKeepAliveQueueMatchesHAProxy: HAProxy 2.6 reads
// max-keep-alive-queue only while choosing a server under option
// prefer-last-server (backend.c assign_server; with it:
// TestPreferLastServerDifferential). Without that option the kept-alive requests of a client are
// balanced as usual, by both daemons: the same servers answer the same
// pipelined requests with and without max-keep-alive-queue 0, maxconn 1
// servers included.
func TestMaxKeepAliveQueueMatchesHAProxy(t *testing.T) {
	w1, w2 := loopback.StartWeb(t, "w1").Addr, loopback.StartWeb(t, "w2").Addr
	raw := strings.Repeat("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 4) + "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	var first string
	for _, line := range []string{"", "    max-keep-alive-queue 0\n"} {
		cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
listen li
    bind BIND
    balance roundrobin
` + line + `    server s1 ` + w1 + ` maxconn 1
    server s2 ` + w2 + ` maxconn 1
`
		ha, goha := startBoth(t, cfg)
		want, wantEnd := exchangeFrom(t, "", ha, raw, time.Second)
		got, gotEnd := exchangeFrom(t, "", goha, raw, time.Second)
		if string(want) != string(got) || wantEnd != gotEnd {
			t.Errorf("%q:\nhaproxy (%s):\n%s\ngoha (%s):\n%s", line, wantEnd, want, gotEnd, got)
		}
		if strings.Count(string(want), "\r\n\r\nw1\n") != 3 || strings.Count(string(want), "\r\n\r\nw2\n") != 2 {
			t.Errorf("%q: haproxy did not alternate the servers:\n%s", line, want)
		}
		if first == "" {
			first = string(want)
		} else if string(want) != first {
			t.Errorf("max-keep-alive-queue changed HAProxy's answers:\n%s\nwithout it:\n%s", want, first)
		}
	}
}
