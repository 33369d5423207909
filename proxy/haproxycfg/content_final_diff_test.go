package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestContentFinalFetchesDifferential: req.proto_http and wait_end, and
// the predefined ACLs built on them and on req.ver / content-length
// (HTTP, WAIT_END, HTTP_1.0, HTTP_1.1, HTTP_CONTENT), against HAProxy 2.6:
// in tcp-mode content inspection a complete HTTP head is accepted at once,
// garbage refused at once, a head cut short refused when the inspect delay
// ends, WAIT_END waits for that end; in an HTTP frontend both are true.
func TestContentFinalFetchesDifferential(t *testing.T) {
	t.Parallel()
	web := loopback.StartWeb(t, "w")
	cfg := "defaults\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		"listen p\n    mode tcp\n    bind BIND_P\n    tcp-request inspect-delay 400ms\n" +
		"    tcp-request content reject if !HTTP\n    server s " + web.Addr + "\n" +
		"listen w\n    mode tcp\n    bind BIND_W\n    tcp-request inspect-delay 400ms\n" +
		"    tcp-request content accept if WAIT_END\n    tcp-request content reject\n    server s " + web.Addr + "\n" +
		"frontend h\n    mode http\n    bind BIND_H\n" +
		"    http-request set-var-fmt(txn.v) \"%[var(txn.v)]10\" if HTTP_1.0\n" +
		"    http-request set-var-fmt(txn.v) \"%[var(txn.v)]11\" if HTTP_1.1\n" +
		"    http-request set-var-fmt(txn.v) \"%[var(txn.v)]C\" if HTTP_CONTENT\n" +
		"    http-request set-var-fmt(txn.v) \"%[var(txn.v)]H\" if HTTP\n" +
		"    http-request set-var-fmt(txn.v) \"%[var(txn.v)]W\" if WAIT_END\n" +
		"    http-request return status 200 hdr x-v \"%[var(txn.v)]\" hdr x-p \"%[req.proto_http]\" hdr x-w \"%[wait_end]\"\n"
	testenv.LookPath(t, "haproxy")
	addrs := func() *strings.Replacer {
		return strings.NewReplacer("BIND_P", loopback.FreeAddr(t), "BIND_W", loopback.FreeAddr(t), "BIND_H", loopback.FreeAddr(t))
	}
	haCfg, goCfg := addrs().Replace(cfg), addrs().Replace(cfg)
	bindOf := func(cfg, section string) string {
		i := strings.Index(cfg, section+"\n")
		rest := cfg[i:]
		j := strings.Index(rest, "bind ")
		return strings.Fields(rest[j+5:])[0]
	}
	difftest.StartHAProxy(t, haCfg, bindOf(haCfg, "listen p"))
	runPlan(t, goCfg)
	type answer struct {
		head string // status line, or the x- headers
		slow bool   // answered after the inspect delay
	}
	ask := func(addr, send string) answer {
		start := time.Now()
		raw, err := difftest.Exchange(addr, []byte(send), 1500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		a := answer{slow: time.Since(start) > 300*time.Millisecond}
		for i, l := range strings.Split(string(raw), "\r\n") {
			if i == 0 || strings.HasPrefix(l, "x-") {
				a.head += l + "|"
			}
		}
		return a
	}
	get := "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	cases := []struct{ section, send string }{
		{"listen p", get},
		{"listen p", "GARBAGE\r\n\r\n"},
		{"listen p", "GET /a HTTP/1.1\r\nHost: x\r\n"},
		{"listen w", get},
		{"frontend h", get},
		{"frontend h", "POST /a HTTP/1.0\r\nContent-Length: 2\r\n\r\nab"},
	}
	for _, c := range cases {
		want, got := ask(bindOf(haCfg, c.section), c.send), ask(bindOf(goCfg, c.section), c.send)
		if want != got {
			t.Errorf("%s %q:\nhaproxy %+v\ngoha    %+v", c.section, c.send, want, got)
		}
		if testing.Verbose() {
			t.Logf("%s %q: %+v", c.section, c.send, want)
		}
	}
}
