package haproxycfg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2RejectObserve opens an HTTP/2 connection to addr, sends a GET of
// /ok on stream 1, waits for its answer, then a GET of path on stream 3
// (with both, a GET of /slow on stream 3 first, path 100 ms later on
// stream 5), and says
// what came within 600 ms: the frames (type, stream, code; SETTINGS,
// WINDOW_UPDATE and the DATA left out) and how the connection ended;
// then it sends a PING and says what came of it.
func h2RejectObserve(addr, path string, both bool) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	var wb bytes.Buffer
	wb.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&wb, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	get := func(id uint32, p string) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, EndHeaders: true, EndStream: true,
			BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":authority", "h", ":path", p)})
	}
	get(1, "/ok")
	c.Write(wb.Bytes())
	wb.Reset()
	var out []string
	read := func(d time.Duration, stopAtEnd1 bool) string {
		deadline := time.Now().Add(d)
		for {
			c.SetReadDeadline(deadline)
			f, err := fr.ReadFrame()
			if err != nil {
				switch {
				case errors.Is(err, os.ErrDeadlineExceeded):
					return "quiet"
				case errors.Is(err, io.EOF):
					return "fin"
				case errors.Is(err, syscall.ECONNRESET):
					return "reset"
				}
				return err.Error()
			}
			switch f := f.(type) {
			case *http2.MetaHeadersFrame:
				out = append(out, fmt.Sprintf("HEADERS %d %s end=%v", f.StreamID, f.PseudoValue("status"), f.StreamEnded()))
				if stopAtEnd1 && f.StreamEnded() {
					return ""
				}
			case *http2.DataFrame:
				if stopAtEnd1 && f.StreamEnded() {
					return ""
				}
			case *http2.RSTStreamFrame:
				out = append(out, fmt.Sprintf("RST_STREAM %d %s", f.StreamID, f.ErrCode))
			case *http2.GoAwayFrame:
				out = append(out, fmt.Sprintf("GOAWAY %d %s", f.LastStreamID, f.ErrCode))
			case *http2.PingFrame:
				out = append(out, "PING")
			}
		}
	}
	if e := read(2*time.Second, true); e != "" {
		return strings.Join(out, " ") + " " + e + " before the second request"
	}
	next := uint32(3)
	if both {
		// A stream in flight: its server answers 300 ms later.
		get(3, "/slow")
		c.Write(wb.Bytes())
		wb.Reset()
		time.Sleep(100 * time.Millisecond)
		next = 5
	}
	get(next, path)
	c.Write(wb.Bytes())
	wb.Reset()
	end := read(600*time.Millisecond, false)
	res := strings.Join(out, ", ") + ", " + end
	if end != "quiet" {
		return res
	}
	out = out[:0]
	fr.WritePing(false, [8]byte{1})
	if _, err := c.Write(wb.Bytes()); err != nil {
		return res + "; write: " + err.Error()
	}
	end = read(600*time.Millisecond, false)
	return res + "; then " + strings.Join(append(out, end), ", ")
}

// slowWeb is a server that answers each request with 200 "ok", 300 ms
// later for /slow.
func slowWeb(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for {
				h, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if h == "\r\n" {
					break
				}
			}
			if strings.Contains(line, "/slow") {
				time.Sleep(300 * time.Millisecond)
			}
			if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")); err != nil {
				return
			}
		}
	})
}

// TestH2FrontendRejectMatchesHAProxy: a frontend's http-request reject
// for an HTTP/2 client, beside HAProxy 2.6.12: the stream is reset with
// ENHANCE_YOUR_CALM, a GOAWAY with the same code names it, another stream
// in flight is reset with NO_ERROR (logged CD, status -1), and the
// connection closes; the rejected request is logged PR with no server,
// counted in dreq and hrsp_other. A backend's reject does the same
// (checked without a stream in flight: goha's %bc counts no other
// stream of the backend, HAProxy's does). The frames the client saw, the
// log lines and the counters must match.
func TestH2FrontendRejectMatchesHAProxy(t *testing.T) {
	t.Parallel()
	cfg := loggedHead + `frontend fe
    mode http
    option httplog
    bind BIND proto h2
    http-request reject if { path /fe }
    default_backend be
backend be
    mode http
    http-request reject if { path /be }
    server s1 ` + slowWeb(t) + "\n"
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, tc := range []struct {
		path string
		both bool
		want string
	}{
		{"/fe", false, "HEADERS 1 200 end=false, RST_STREAM 3 ENHANCE_YOUR_CALM, GOAWAY 3 ENHANCE_YOUR_CALM, fin"},
		{"/fe", true, "HEADERS 1 200 end=false, RST_STREAM 5 ENHANCE_YOUR_CALM, GOAWAY 5 ENHANCE_YOUR_CALM, RST_STREAM 3 NO_ERROR, fin"},
		{"/be", false, "HEADERS 1 200 end=false, RST_STREAM 3 ENHANCE_YOUR_CALM, GOAWAY 3 ENHANCE_YOUR_CALM, fin"},
	} {
		label := fmt.Sprintf("%s, a stream in flight %v", tc.path, tc.both)
		want, got := h2RejectObserve(ha, tc.path, tc.both), h2RejectObserve(goha, tc.path, tc.both)
		t.Logf("%s: %s", label, want)
		if want != got {
			t.Errorf("%s: the client saw\nhaproxy: %s\ngoha:    %s", label, want, got)
		}
		if want != tc.want {
			t.Errorf("%s: haproxy's client saw %s, the test expects %s", label, want, tc.want)
		}
		sameLoggedLines(t, label, haLog, goLog, 0)
		stat := haproxytest.StatsCmd(t, sock, "show stat")
		compareDropStats(t, base, stat, px)
	}
}
