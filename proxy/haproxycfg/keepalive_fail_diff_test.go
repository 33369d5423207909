package haproxycfg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKeptAliveFailedNextDifferential: a request served on a kept-alive
// connection, then at once (the session is not parked) a next request
// that fails before HAProxy's stream begins: a refused head (400), a head
// cut by `timeout http-request` (408), a client that shuts its side
// mid-head (400). HAProxy logs these with its session and no stream: no
// unique-id, no captures, no txn variable, whatever the first request
// had. Client bytes and both log lines are HAProxy 2.6's, with and
// without option logasap.
func TestKeptAliveFailedNextDifferential(t *testing.T) {
	t.Parallel()
	w := webs3(t)
	for _, asap := range []bool{false, true} {
		extra := ""
		if asap {
			extra = "    option logasap\n"
		}
		cfg := strings.Replace(httplogFrontend, "    option httplog\n", "", 1) +
			`    timeout http-request 1s
    timeout http-keep-alive 5s
` + extra + `    unique-id-format id-%[req.hdr(X-Tag)]
    capture request header X-Tag len 10
    http-request set-var(txn.x) req.hdr(X-Tag)
    http-request capture req.hdr(X-Cap) len 8
    log-format "%ST %ts x x x [%ID] [%hr] [%[var(txn.x)]] [%[capture.req.hdr(0)]] [%[capture.req.hdr(1)]] %{+Q}r"
    default_backend web
backend web
    server w1 ` + w[0] + `
`
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		first := "GET /a HTTP/1.1\r\nHost: h\r\nX-Tag: one\r\nX-Cap: cap1\r\n\r\n"
		cases := []struct {
			name, next  string
			shut, alone bool // alone: no first request
		}{
			{"refused head", "GET /b HTTP/1.1\r\nHost: h\r\nX-Tag: two\r\nBad Header\r\n\r\n", false, false},
			{"timed out head", "GET /b HTTP/1.1\r\nHost: h\r\nX-Tag: two\r\n", false, false},
			{"shut mid-head", "GET /b HTTP/1.1\r\nHost: h\r\nX-Tag: two\r\n", true, false},
			{"refused first head", "GET /b HTTP/1.1\r\nHost: h\r\nX-Tag: two\r\nBad Header\r\n\r\n", false, true},
		}
		for _, c := range cases {
			label := c.name
			if asap {
				label += " (logasap)"
			}
			first, n := first, 2
			if c.alone {
				first, n = "", 1
			}
			var want []byte
			var wantEnd string
			done := make(chan struct{})
			go func() {
				defer close(done)
				want, wantEnd = twoStepExchange(t, ha, first, c.next, c.shut)
			}()
			got, gotEnd := twoStepExchange(t, goha, first, c.next, c.shut)
			<-done
			if !c.alone && !strings.HasPrefix(string(want), "HTTP/1.1 200") {
				t.Fatalf("%s: haproxy answered %q", label, want)
			}
			compareAnswers(t, label, want, got, wantEnd, gotEnd)
			lines := sameLogLines(t, label, haLog, goLog, n)
			if !c.alone && len(lines) == 2 && !strings.Contains(lines[0], "[id-one]") {
				t.Errorf("%s: haproxy's first line %q has no unique-id", label, lines[0])
			}
		}
	}
}

// twoStepExchange sends first on a new connection to addr and reads its
// whole answer (none: ""), then sends next at once (well within the 250 ms after
// which goha parks a session), shut then shuts the client's side, and
// reads until the connection ends (3 s at most). It returns the bytes
// read and how the connection ended.
func twoStepExchange(t *testing.T, addr, first, next string, shut bool) ([]byte, string) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return nil, "refused"
	}
	defer c.Close()
	var out bytes.Buffer
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if first != "" && !firstAnswer(c, first, &out) {
		return out.Bytes(), "first request not answered"
	}
	if _, err := c.Write([]byte(next)); err != nil {
		return out.Bytes(), "write: " + err.Error()
	}
	if shut {
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = io.Copy(&out, c)
	switch {
	case err == nil:
		return out.Bytes(), "closed"
	case errors.Is(err, syscall.ECONNRESET):
		return out.Bytes(), "reset"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return out.Bytes(), "open"
	}
	return out.Bytes(), err.Error()
}

// firstAnswer sends first on c and reads its whole answer into out.
func firstAnswer(c net.Conn, first string, out *bytes.Buffer) bool {
	if _, err := c.Write([]byte(first)); err != nil {
		return false
	}
	br := bufio.NewReader(io.TeeReader(c, out))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return br.Buffered() == 0
}
