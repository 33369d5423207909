package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"golang.org/x/net/http2"
)

// h2BadReqConfig is an HTTP/2 frontend (prior knowledge) logging with
// option httplog, its requests answered by the proxy itself.
const h2BadReqConfig = `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind BIND proto h2
    http-request return status 200 content-type text/plain string ok
`

// TestH2RefusedRequestLogMatchesHAProxy: HTTP/2 requests the H2 mux
// refuses (malformed pseudo-fields, connection-specific fields, a
// content-length the DATA do not match, ...): what the client gets, the
// log lines and the frontend's req_tot and ereq, beside HAProxy 2.6.12:
// a refused head is reset (PROTOCOL_ERROR) and logged as HAProxy's H2 mux
// logs it (status 0, <BADREQ>, PR--), counted in neither req_tot nor
// ereq; a request whose DATA miss its content-length is logged with the
// answer the proxy made.
func TestH2RefusedRequestLogMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	ha, goha, haLines, goLines, px, sock, base := startSettled(t, h2BadReqConfig)
	goBase := px.Frontends()[0].Stats
	req := func(kv ...string) func(c net.Conn, fr *http2.Framer) {
		return func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(kv...), EndStream: true, EndHeaders: true})
		}
	}
	get := func(extra ...string) func(c net.Conn, fr *http2.Framer) {
		return req(append([]string{":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"}, extra...)...)
	}
	post := func(cl string, data string) func(c net.Conn, fr *http2.Framer) {
		return func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x", "content-length", cl), EndHeaders: true})
			fr.WriteData(1, true, []byte(data))
		}
	}
	cases := []struct {
		name string
		send func(c net.Conn, fr *http2.Framer)
	}{
		{"good", get()},
		{"connection", get("connection", "keep-alive")},
		{"transfer-encoding", get("transfer-encoding", "chunked")},
		{"te gzip", get("te", "gzip")},
		{"upper-case name", get("X-Up", "1")},
		{"no path", req(":method", "GET", ":scheme", "http", ":authority", "x")},
		{"no method", req(":scheme", "http", ":path", "/", ":authority", "x")},
		{"no scheme", req(":method", "GET", ":path", "/", ":authority", "x")},
		{"empty path", req(":method", "GET", ":scheme", "http", ":path", "", ":authority", "x")},
		{"twice path", get(":path", "/b")},
		{"unknown pseudo", req(":method", "GET", ":scheme", "http", ":path", "/", ":foo", "x")},
		{"pseudo after field", req(":method", "GET", ":scheme", "http", "x-a", "1", ":path", "/")},
		{"status in request", get(":status", "200")},
		{"connect with path", req(":method", "CONNECT", ":authority", "x:1", ":path", "/")},
		{"bad content-length", get("content-length", "abc")},
		{"content-length above DATA", post("10", "abc")},
		{"content-length below DATA", post("2", "abcdef")},
		{"space in path", req(":method", "GET", ":scheme", "http", ":path", "/a b", ":authority", "x")},
		{"good again", get()},
	}
	for _, tc := range cases {
		// both sides at once, each waiting 1 s for a next frame and
		// 5 s for its log line: a loaded machine may take longer than
		// a fixed pause to send the reset or the line
		var want, got string
		done := make(chan struct{})
		go func() {
			defer close(done)
			want = h2OutcomeIdle(t, ha, false, time.Second, tc.send)
		}()
		got = h2OutcomeIdle(t, goha, false, time.Second, tc.send)
		<-done
		wl, gl := awaitLines(haLines, 5*time.Second, 300*time.Millisecond), awaitLines(goLines, 5*time.Second, 300*time.Millisecond)
		for i := range wl {
			wl[i] = strings.ReplaceAll(wl[i], ha, "FE")
		}
		for i := range gl {
			gl[i] = strings.ReplaceAll(gl[i], goha, "FE")
		}
		if strings.HasPrefix(tc.name, "content-length") {
			// HAProxy may answer the HEADERS before its H2 mux takes
			// the DATA (HEADERS 200, then RST_STREAM CANCEL and
			// STREAM_CLOSED; or RST_STREAM PROTOCOL_ERROR alone, as
			// the two frames arrive), and so does goha: the frames
			// are compared arrival by arrival in
			// TestH2RequestBodyEndMatchesHAProxy. The log line is the
			// same.
			want, got = "", ""
		}
		if want != got || strings.Join(wl, "\n") != strings.Join(gl, "\n") {
			t.Errorf("%s:\nhaproxy: %s\n  %q\ngoha:    %s\n  %q", tc.name, want, wl, got, gl)
		}
	}
	after := allStatRows(haproxytest.StatsCmd(t, sock, "show stat"))
	before := allStatRows(base)
	s := px.Frontends()[0].Stats
	for col, g := range map[string]int64{"req_tot": s.Requests - goBase.Requests, "ereq": s.ReqErrors - goBase.ReqErrors} {
		if w := after["fe/FRONTEND"][col] - before["fe/FRONTEND"][col]; w != g {
			t.Errorf("fe %s: haproxy %d, goha %d", col, w, g)
		}
	}
}
