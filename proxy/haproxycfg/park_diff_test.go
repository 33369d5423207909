package haproxycfg

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pausedExchange sends each of steps on one connection to addr, reading
// what comes back until nothing arrives for idle, then waiting pause more
// before the next: a kept-alive client that idles between requests. It
// returns every byte read and how the connection ended.
func pausedExchange(t *testing.T, addr string, steps []string, idle, pause time.Duration) ([]byte, string) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return nil, "refused"
	}
	defer c.Close()
	var out bytes.Buffer
	buf := make([]byte, 8192)
	for i, raw := range steps {
		if i > 0 {
			time.Sleep(pause)
		}
		if _, err := c.Write([]byte(raw)); err != nil {
			return out.Bytes(), "write: " + err.Error()
		}
		for {
			c.SetReadDeadline(time.Now().Add(idle))
			n, err := c.Read(buf)
			out.Write(buf[:n])
			if err == nil {
				continue
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			if errors.Is(err, syscall.ECONNRESET) {
				return out.Bytes(), "reset"
			}
			return out.Bytes(), "closed"
		}
	}
	return out.Bytes(), "open"
}

// TestParkedKeepAliveDifferential: requests on one kept-alive connection,
// each after the client idled for longer than goha parks a session after
// (250 ms: the session then gives back its transaction state and takes a
// fresh one when the next request comes), under rules that keep state per
// transaction (captures, txn variables, set-path, a rule's own answer,
// response and after-response headers, a persistence cookie) and per
// connection (a sess variable, http_first_req, a counter tracked from
// tcp-request connection): client bytes and log lines are HAProxy 2.6's,
// as without the pauses.
func TestParkedKeepAliveDifferential(t *testing.T) {
	t.Parallel()
	w := webs3(t)
	cfg := strings.Replace(httplogFrontend, "frontend fe\n", `frontend fe
    timeout http-keep-alive 5s
`, 1) + `    capture request header X-Tag len 10
    http-request set-var(txn.tag) req.hdr(X-Tag)
    http-request set-header X-Goha tag-%[var(txn.tag)]
    http-request set-path /p%[path] if { path_beg /r/ }
    http-request return status 200 content-type text/plain lf-string ret-%[var(txn.tag)] if { path /ret }
    http-response set-header X-Resp r-%[var(txn.tag)]
    http-after-response add-header X-After a-%[var(txn.tag)]
    tcp-request connection track-sc1 src
    http-request set-var(sess.last) req.hdr(X-Tag) if { req.hdr(X-Tag) -m found }
    http-response set-header X-Sess s-%[var(sess.last)]-%[http_first_req]-%[sc1_tracked]
    stick-table type ip size 10 store http_req_cnt
    default_backend web
backend web
    cookie SRV insert indirect nocache
    server w1 ` + w[0] + ` cookie s1
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	steps := []string{
		"GET /r/a HTTP/1.1\r\nHost: h\r\nX-Tag: one\r\n\r\n",
		"GET /ret HTTP/1.1\r\nHost: h\r\nX-Tag: two\r\n\r\n",
		"GET /plain HTTP/1.1\r\nHost: h\r\nCookie: SRV=s1\r\n\r\n",
		"GET /r/b HTTP/1.1\r\nHost: h\r\nX-Tag: four\r\nConnection: close\r\n\r\n",
	}
	var want []byte
	var wantEnd string
	done := make(chan struct{})
	go func() {
		defer close(done)
		want, wantEnd = pausedExchange(t, ha, steps, 300*time.Millisecond, 400*time.Millisecond)
	}()
	got, gotEnd := pausedExchange(t, goha, steps, 300*time.Millisecond, 400*time.Millisecond)
	<-done
	if bytes.Count(want, []byte("HTTP/1.1 200")) != len(steps) || !bytes.Contains(want, []byte("x-seen-path: /p/r/a")) || !bytes.Contains(want, []byte("x-sess: s-one-0-1")) {
		t.Fatalf("haproxy answered %q", want)
	}
	compareAnswers(t, "paused requests", want, got, wantEnd, gotEnd)
	for i := range steps {
		sameLogLines(t, fmt.Sprintf("request %d", i+1), haLog, goLog, 1)
	}
}
