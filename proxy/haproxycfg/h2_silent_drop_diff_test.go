package haproxycfg

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"golang.org/x/net/http2"
)

// h2SilentObserve is silentObserve for an HTTP/2 client: it sends its
// preface and a GET of path (with x-tcp: 1 for /tcp, x-btcp: 1 for
// /btcp), says which frames
// came (type) and how the connection ended within 300 ms, then sends a
// PING and does the same for 500 ms.
func h2SilentObserve(addr, path string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	var wb bytes.Buffer
	wb.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&wb, c)
	fr.WriteSettings()
	kv := []string{":method", "GET", ":scheme", "http", ":authority", "h", ":path", path}
	switch path {
	case "/tcp":
		kv = append(kv, "x-tcp", "1")
	case "/btcp":
		kv = append(kv, "x-btcp", "1")
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true, EndStream: true, BlockFragment: h2Block(kv...)})
	c.Write(wb.Bytes())
	wb.Reset()
	read := func(d time.Duration) string {
		var out []string
		deadline := time.Now().Add(d)
		for {
			c.SetReadDeadline(deadline)
			fh, err := http2.ReadFrameHeader(c)
			if err == nil {
				io.CopyN(io.Discard, c, int64(fh.Length))
				if fh.Type != http2.FrameWindowUpdate {
					out = append(out, fh.Type.String())
				}
				continue
			}
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				out = append(out, "quiet")
			case errors.Is(err, io.EOF):
				out = append(out, "fin")
			case errors.Is(err, syscall.ECONNRESET):
				out = append(out, "reset")
			default:
				out = append(out, err.Error())
			}
			return strings.Join(out, " ")
		}
	}
	before := read(300 * time.Millisecond)
	fr.WritePing(false, [8]byte{})
	if _, err := c.Write(wb.Bytes()); err != nil {
		return before + ", write: " + err.Error()
	}
	return before + ", then " + read(500*time.Millisecond)
}

// TestH2SilentDropDifferential: silent-drop for an HTTP/2 client, beside
// HAProxy 2.6.12: a frontend's and a backend's http-request silent-drop
// and a frontend's and a backend's tcp-request content one kill the
// client's connection unseen
// (its SETTINGS came; nothing more, and a PING sent later meets the
// kernel's reset: the socket is gone); an http-response silent-drop (a
// frontend's and a backend's) silences the connection without closing
// it (the PING meets nothing). The client, the log lines and the
// counters must match.
func TestH2SilentDropDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	web := webs3(t)[0]
	cfg := loggedHead + `frontend fe
    mode http
    option httplog
    bind BIND proto h2
    http-request set-var(txn.p) path
    tcp-request content silent-drop if { req.hdr(x-tcp) -m found }
    http-request silent-drop if { path /fe }
    http-response silent-drop if { var(txn.p) -m str /res }
    default_backend be
backend be
    mode http
    tcp-request content silent-drop if { req.hdr(x-btcp) -m found }
    http-request silent-drop if { path /be }
    http-response silent-drop if { var(txn.p) -m str /bres }
    server s1 ` + web + "\n"
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, path := range []string{"/fe", "/be", "/tcp", "/btcp", "/res", "/bres", "/ok"} {
		want, got := h2SilentObserve(ha, path), h2SilentObserve(goha, path)
		t.Logf("%s: %s", path, want)
		if want != got {
			t.Errorf("%s: the client saw\nhaproxy: %s\ngoha:    %s", path, want, got)
		}
		sameLoggedLines(t, path, haLog, goLog, 1)
		stat := haproxytest.StatsCmd(t, sock, "show stat")
		compareDropStats(t, base, stat, px)
	}
	for path, want := range map[string]string{"/be": "SETTINGS SETTINGS quiet, then reset", "/bres": "SETTINGS SETTINGS quiet, then quiet"} {
		if got := h2SilentObserve(ha, path); got != want {
			t.Errorf("%s: haproxy's client saw %s, the test expects %s", path, got, want)
		}
	}
}
