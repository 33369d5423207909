package haproxycfg

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestResponseRepliesDifferential: http-response deny (502 by default,
// deny_status, a reply with hdr and string), return (with lf-string
// payloads, where the response fetches have no value), redirect location
// (whose %[...] still read the response, with code and set-cookie) and
// allow, beside HAProxy 2.6, byte for byte at the client on kept-alive,
// closing and HTTP/1.0 connections; a second request on the connection
// shows what the recording backend received.
func TestResponseRepliesDifferential(t *testing.T) {
	t.Parallel()
	backend := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.p) path
    http-response allow if { var(txn.p) -m str /allow }
    http-response deny if { var(txn.p) -m beg /d }
    http-response deny deny_status 404 if { var(txn.p) -m str /allow }
    http-response deny deny_status 403 content-type text/plain string "no" hdr x-a "b%[var(txn.p)]" if { var(txn.p) -m str /e2 }
    http-response deny deny_status 429 if { var(txn.p) -m str /e3 }
    http-response return status 201 content-type text/plain lf-string "st=%[status] %[res.hdr(content-length)] p=%[var(txn.p)]" if { var(txn.p) -m str /r }
    http-response return if { var(txn.p) -m str /r2 }
    http-response return status 200 content-type text/plain string "hello" hdr x-b lit if { var(txn.p) -m str /r3 }
    http-response redirect location /x%[res.hdr(content-length)]-%[status] code 301 set-cookie A=1 if { var(txn.p) -m str /l }
    http-response redirect location /p%[var(txn.p)] clear-cookie B if { var(txn.p) -m beg /lp }
    http-response set-header x-after 1
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	var conns []string
	for _, p := range []string{"/d", "/allow", "/e2", "/e3", "/r", "/r2", "/r3", "/l", "/lp/a?b=1", "/ok"} {
		conns = append(conns,
			"GET "+p+" HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\nX-Prev: "+p+"\r\n\r\n",
			"GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	}
	compareConns(t, ha, goha, conns)
}

// compareConns sends each raw connection to both daemons, eight at a time
// (each exchange waits for an idle time), and compares the bytes the
// client receives and how each connection ends.
func compareConns(t *testing.T, ha, goha string, conns []string) {
	t.Helper()
	compareConnsIdle(t, ha, goha, conns, func(string) time.Duration { return 300 * time.Millisecond })
}

// compareConnsIdle is compareConns with each connection's idle wait.
func compareConnsIdle(t *testing.T, ha, goha string, conns []string, idle func(raw string) time.Duration) {
	t.Helper()
	type result struct {
		want, got       []byte
		wantEnd, gotEnd string
	}
	res := make([]result, len(conns))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8) // bounded: a loaded machine still answers within the idle time
	for i, raw := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			r := &res[i]
			r.want, r.wantEnd = exchangeFrom(t, "", ha, raw, idle(raw))
			r.got, r.gotEnd = exchangeFrom(t, "", goha, raw, idle(raw))
		}()
	}
	wg.Wait()
	for i, r := range res {
		if !bytes.Equal(r.want, r.got) || r.wantEnd != r.gotEnd {
			t.Errorf("%q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", conns[i], r.wantEnd, r.want, r.gotEnd, r.got)
		}
	}
}
