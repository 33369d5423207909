package haproxycfg

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2GoneCase is one way an HTTP/2 client leaves right after a complete
// GET of path (/fast: the server answers at once; /slow: 300 ms later).
type h2GoneCase struct {
	name, path string
	// then: "close" (once the server's SETTINGS and ACK came: HAProxy
	// then writes nothing before the response), "half-close" (a
	// shutdown of the client's writes), "goaway" (sent with the
	// request), "goaway-close", "goaway-after" (a GOAWAY once the
	// response came), "rst" (RST_STREAM with the request), "rst-later"
	// (100 ms after it, the server still working).
	then string
}

// h2Gone runs tc against addr (over TLS with ALPN h2 when overTLS) and
// says which frames the client saw. Over TLS, "close" sends a
// close_notify before the FIN, "raw-close" a FIN alone, and
// "half-close" a close_notify alone.
func h2Gone(addr string, tc h2GoneCase, overTLS bool) string {
	raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer raw.Close()
	var c net.Conn = raw
	if overTLS {
		tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		tc.SetDeadline(time.Now().Add(2 * time.Second))
		if err := tc.Handshake(); err != nil {
			return "handshake: " + err.Error()
		}
		c = tc
		defer c.Close()
	}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	var wb bytes.Buffer
	wb.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&wb, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true, EndStream: true,
		BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":authority", "h", ":path", tc.path)})
	switch tc.then {
	case "goaway", "goaway-close":
		fr.WriteGoAway(0, http2.ErrCodeNo, nil)
	case "rst":
		fr.WriteRSTStream(1, http2.ErrCodeCancel)
	}
	c.Write(wb.Bytes())
	wb.Reset()
	var out []string
	switch tc.then {
	case "rst-later":
		time.Sleep(100 * time.Millisecond)
		fr.WriteRSTStream(1, http2.ErrCodeCancel)
		c.Write(wb.Bytes())
	case "half-close":
		c.(interface{ CloseWrite() error }).CloseWrite()
	}
	if tc.then == "close" || tc.then == "goaway-close" || tc.then == "reset" || tc.then == "raw-close" {
		// The server's SETTINGS and its ACK of the client's first, so
		// that nothing but the response is written after the close.
		settings, ack := false, false
		for !settings || !ack {
			f, err := fr.ReadFrame()
			if err != nil {
				return "before the close: " + err.Error()
			}
			if sf, ok := f.(*http2.SettingsFrame); ok {
				if sf.IsAck() {
					ack = true
				} else {
					settings = true
				}
			}
		}
		switch tc.then {
		case "reset":
			raw.(*net.TCPConn).SetLinger(0)
		case "raw-close":
			raw.Close()
		}
		return "closed"
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			out = append(out, "end")
			break
		}
		if g, ok := f.(*http2.GoAwayFrame); ok {
			out = append(out, fmt.Sprintf("GOAWAY %d %s", g.LastStreamID, g.ErrCode))
		} else if l := h2FrameLine(f, false); l != "" {
			out = append(out, l)
		}
		if df, ok := f.(*http2.DataFrame); ok && df.StreamEnded() && tc.then == "goaway-after" {
			fr.WriteGoAway(1, http2.ErrCodeNo, nil)
			c.Write(wb.Bytes())
			wb.Reset()
		}
	}
	return strings.Join(out, "\n")
}

// TestH2ClientGoneAfterRequestMatchesHAProxy: an HTTP/2 client that
// leaves right after a complete request. HAProxy 2.6.12 serves it
// anyway after the client's FIN (a close or a half-close: 200 ----, the
// response written; a half-closed client reads it) and after its GOAWAY,
// then closes the connection without a GOAWAY of its own; a stream the
// client resets while the server works is logged CD, status -1, counted
// in cli_abrt (not eresp); one reset with its request never reaches a
// server (CR). The frames the client saw, the bytes the server got, the
// log line and the counters must match. (A close with a TCP reset is
// left out: HAProxy logs it CD or CL, -1, with 0 or 51 bytes, by when
// the reset meets its writes.)
func TestH2ClientGoneAfterRequestMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	h2GoneCompare(t, "proto h2", false, []h2GoneCase{
		{"close fast", "/fast", "close"},
		{"close slow", "/slow", "close"},
		{"goaway fast", "/fast", "goaway"},
		{"goaway slow", "/slow", "goaway"},
		{"goaway-close fast", "/fast", "goaway-close"},
		{"goaway-close slow", "/slow", "goaway-close"},
		{"half-close fast", "/fast", "half-close"},
		{"half-close slow", "/slow", "half-close"},
		{"goaway after the response", "/fast", "goaway-after"},
		{"rst later", "/slow", "rst-later"},
		{"rst fast", "/fast", "rst"},
		{"rst slow", "/slow", "rst"},
	})
}

// TestH2ClientGoneTLSMatchesHAProxy is TestH2ClientGoneAfterRequestMatchesHAProxy
// over TLS (ALPN h2): a close_notify, with or without the FIN, ends the
// client's side as a FIN does in clear; a FIN without it is measured
// alike.
func TestH2ClientGoneTLSMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	pki := newTestPKI(t)
	h2GoneCompare(t, "ssl crt "+pki.Dir+"/a.pem alpn h2", true, []h2GoneCase{
		{"close slow", "/slow", "close"},
		{"raw-close slow", "/slow", "raw-close"},
		{"half-close slow", "/slow", "half-close"},
		{"goaway slow", "/slow", "goaway"},
		{"rst later", "/slow", "rst-later"},
	})
}

// h2GoneCompare runs the cases on a bind with opts, beside HAProxy.
func h2GoneCompare(t *testing.T, opts string, overTLS bool, cases []h2GoneCase) {
	srvSeen := make(chan string, 16)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		var all []byte
		for {
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if strings.Contains(string(all), "\r\n\r\n") {
				if strings.Contains(string(all), "/slow") {
					time.Sleep(300 * time.Millisecond)
				}
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
				// what comes after: the close
				c.SetReadDeadline(time.Now().Add(time.Second))
				n, err = c.Read(buf)
				all = append(all, buf[:n]...)
				all = append(all, fmt.Sprintf(" [%v]", err != nil)...)
				break
			}
			if err != nil {
				break
			}
		}
		srvSeen <- string(all)
	})
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 1s
    timeout server 2s
frontend fe
    bind BIND ` + opts + `
    default_backend be
backend be
    server s1 ` + server + `
`
	ha, goha, haLog, goLog, px, sock, base0 := startSettled(t, cfg)
	for _, tc := range cases {
		base, goBase := termAborts(t, haproxytest.StatsCmd(t, sock, "show stat")), gohaAborts(px)
		h2CaseBoth(t, tc.name, ha, goha, haLog, goLog, srvSeen, func(addr string) string { return h2Gone(addr, tc, overTLS) })
		stat := haproxytest.StatsCmd(t, sock, "show stat")
		compareDropStats(t, base0, stat, px)
		w, g := termAborts(t, stat), gohaAborts(px)
		for k := range w {
			if a, b := w[k]-base[k], g[k]-goBase[k]; a != b {
				t.Errorf("%s: %s: haproxy %d, goha %d", tc.name, k, a, b)
			}
		}
	}
}
