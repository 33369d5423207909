package haproxycfg

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Block encodes header fields (name, value pairs) with a fresh HPACK
// encoder.
func h2Block(kv ...string) []byte {
	var b bytes.Buffer
	e := hpack.NewEncoder(&b)
	for i := 0; i+1 < len(kv); i += 2 {
		e.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return b.Bytes()
}

// h2Outcome connects to addr, runs send on a framer after the preface
// (unless raw is set: send writes what it wants) and reports what the
// server answered: RST_STREAM, GOAWAY and response HEADERS in order, then
// whether it closed. SETTINGS, WINDOW_UPDATE and PING are left out.
func h2Outcome(t *testing.T, addr string, raw bool, send func(c net.Conn, fr *http2.Framer)) string {
	t.Helper()
	return h2OutcomeIdle(t, addr, raw, 400*time.Millisecond, send)
}

// h2OutcomeIdle is h2Outcome with the wait for a next frame (idle) given.
func h2OutcomeIdle(t *testing.T, addr string, raw bool, idle time.Duration, send func(c net.Conn, fr *http2.Framer)) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	fr := http2.NewFramer(c, c)
	fr.AllowIllegalWrites = true
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if !raw {
		c.Write([]byte(http2.ClientPreface))
		fr.WriteSettings()
	}
	send(c, fr)
	var ev []string
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		c.SetReadDeadline(time.Now().Add(idle))
		f, err := fr.ReadFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				ev = append(ev, "open")
			} else {
				ev = append(ev, "closed")
			}
			break
		}
		switch f := f.(type) {
		case *http2.RSTStreamFrame:
			ev = append(ev, fmt.Sprintf("RST_STREAM(%d,%v)", f.StreamID, f.ErrCode))
		case *http2.GoAwayFrame:
			ev = append(ev, fmt.Sprintf("GOAWAY(%v)", f.ErrCode))
		case *http2.MetaHeadersFrame:
			ev = append(ev, "HEADERS "+f.PseudoValue("status"))
		}
	}
	return strings.Join(ev, " ")
}

// TestH2MalformedFrames sends broken HTTP/2 to HAProxy 2.6 and to goha:
// the same GOAWAY / RST_STREAM answers, and goha keeps serving.
func TestH2MalformedFrames(t *testing.T) {
	t.Parallel()
	pki, ha, goha := startH2Both(t)
	get := func(extra ...string) []byte {
		return h2Block(append([]string{":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"}, extra...)...)
	}
	cases := []struct {
		name string
		raw  bool
		send func(c net.Conn, fr *http2.Framer)
	}{
		{"bad preface", true, func(c net.Conn, _ *http2.Framer) { c.Write([]byte("GET / HTTP/1.1\r\nhost: x\r\n\r\n")) }},
		{"no settings first", true, func(c net.Conn, fr *http2.Framer) {
			c.Write([]byte(http2.ClientPreface))
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get(), EndStream: true, EndHeaders: true})
		}},
		{"oversized frame", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("x-big", strings.Repeat("a", 20000)), EndStream: true, EndHeaders: true})
		}},
		// The largest head HAProxy's HTX buffer takes (its start line
		// holds http://x/), and one byte more: reset.
		{"head at the HTX limit", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("x-big", strings.Repeat("a", 15229)), EndStream: true, EndHeaders: true})
		}},
		{"head over the HTX limit", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("x-big", strings.Repeat("a", 15230)), EndStream: true, EndHeaders: true})
		}},
		{"continuation flood", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get(), EndStream: true})
			for i := 0; i < 100; i++ {
				if fr.WriteContinuation(1, false, h2Block(fmt.Sprintf("x-%d", i), strings.Repeat("v", 1000))) != nil {
					return
				}
			}
		}},
		{"connection header", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("connection", "keep-alive"), EndStream: true, EndHeaders: true})
		}},
		{"te gzip", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("te", "gzip"), EndStream: true, EndHeaders: true})
		}},
		{"upper-case name", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("X-Up", "1"), EndStream: true, EndHeaders: true})
		}},
		{"no path", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":authority", "x"), EndStream: true, EndHeaders: true})
		}},
		{"content-length above DATA", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x", "content-length", "10"), EndHeaders: true})
			fr.WriteData(1, true, []byte("abc"))
		}},
		{"content-length below DATA", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x", "content-length", "2"), EndHeaders: true})
			fr.WriteData(1, true, []byte("abcdef"))
		}},
		{"window update 0", false, func(c net.Conn, fr *http2.Framer) { fr.WriteWindowUpdate(0, 0) }},
		{"data on idle stream", false, func(c net.Conn, fr *http2.Framer) { fr.WriteData(5, true, []byte("x")) }},
		{"even stream id", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 2, BlockFragment: get(), EndStream: true, EndHeaders: true})
		}},
		{"settings on a stream", false, func(c net.Conn, fr *http2.Framer) { fr.WriteRawFrame(http2.FrameSettings, 0, 1, nil) }},
		{"good request", false, func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get(), EndStream: true, EndHeaders: true})
		}},
	}
	for _, tc := range cases {
		gotc := make(chan string, 1)
		go func() { gotc <- h2Outcome(t, goha.clear, tc.raw, tc.send) }()
		want := h2Outcome(t, ha.clear, tc.raw, tc.send)
		got := <-gotc
		if want != got {
			t.Errorf("%s: haproxy %q, goha %q", tc.name, want, got)
		}
	}
	// Still serving.
	c := h2Client(t, pki, goha.clear, false)
	resp, err := c.Get("http://" + goha.clear + "/after")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("goha after the malformed frames: %v %v", resp, err)
	}
	resp.Body.Close()
}
