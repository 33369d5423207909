package haproxycfg

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"golang.org/x/net/http2"
)

// TestHeadLimitDifferential: the largest request head HAProxy takes (its
// HTX form leaves tune.maxrewrite free: one field x-big of 15237 bytes),
// one byte more (refused once parsed), and a head still unfinished when
// 16320 bytes came: bytes, log lines, and req_tot, ereq and hrsp_4xx of
// the frontend.
func TestHeadLimitDifferential(t *testing.T) {
	cfg := httplogFrontend + "    http-request return status 200 content-type text/plain string ok\n"
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, c := range []struct {
		n    int
		want string
	}{{15237, "HTTP/1.1 200"}, {15238, "HTTP/1.1 400"}, {20000, "HTTP/1.1 400"}} {
		raw := "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", c.n) + "\r\nConnection: close\r\n\r\n"
		label := fmt.Sprintf("x-big of %d", c.n)
		if want := sameAnswerAtOnce(t, label, ha, goha, raw, time.Second); !bytes.HasPrefix(want, []byte(c.want)) {
			t.Errorf("%s: haproxy answered %.20q, want %s", label, want, c.want) // the boundary moved
		}
		sameLogLines(t, label, haLog, goLog, 1)
	}
	fe := px.Frontends()[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "req_tot", fe.Requests}, {"fe/FRONTEND", "ereq", fe.ReqErrors}, {"fe/FRONTEND", "hrsp_4xx", fe.HRsp4xx},
	}, nil, true)
}

// TestResponseHeadLimitDifferential: a response head from an HTTP/1
// server is taken under the same HTX limit as a request's (x-a of 15228
// bytes after "HTTP/1.1 200 OK"); one byte more gets the 502 page,
// logged PH. Compared: bytes, log lines, and eresp and hrsp_5xx of the
// frontend, backend and server. (The client keeps its connection: after
// Connection: close, HAProxy's 502 page says connection: close, goha's
// does not, for every refused response.)
func TestResponseHeadLimitDifferential(t *testing.T) {
	cfg := strings.ReplaceAll(httplogFrontend+"    default_backend be\nbackend be\n    server s1 SRV\n", "SRV", bigHeaderServer(t))
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, c := range []struct {
		n    int
		want string
	}{{15228, "HTTP/1.1 200"}, {15229, "HTTP/1.1 502"}} {
		raw := fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: t\r\n\r\n", c.n)
		label := fmt.Sprintf("x-a of %d", c.n)
		if want := sameAnswerAtOnce(t, label, ha, goha, raw, 300*time.Millisecond); !bytes.HasPrefix(want, []byte(c.want)) {
			t.Errorf("%s: haproxy answered %.20q, want %s", label, want, c.want) // the boundary moved
		}
		sameLogLines(t, label, haLog, goLog, 1)
	}
	fe, be := px.Frontends()[0].Stats, px.Backends()[0]
	srv := be.Servers[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "hrsp_5xx", fe.HRsp5xx}, {"be/BACKEND", "eresp", be.Stats.RespErrors}, {"be/BACKEND", "hrsp_5xx", be.Stats.HRsp5xx},
		{"be/s1", "eresp", srv.RespErrors},
	}, nil, true)
}

// TestH2HeadLimitDifferential: an HTTP/2 request head is taken while its
// HTX form leaves tune.maxrewrite free in HAProxy's buffer, its start
// line holding the absolute form http://x/ (x-big of 15229 bytes here);
// one byte more and HAProxy's H2 mux resets the stream (PROTOCOL_ERROR),
// logs a line with no transaction (%ST 0, <BADREQ>, PR--) and counts a
// request error. Compared: the frames, the log lines and req_tot, ereq
// and hrsp_4xx of the frontend.
func TestH2HeadLimitDifferential(t *testing.T) {
	cfg := strings.Replace(httplogFrontend, "bind BIND\n", "bind BIND proto h2\n", 1) +
		"    http-request return status 200 content-type text/plain string ok\n"
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, n := range []int{15229, 15230} {
		send := func(c net.Conn, fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndStream: true, EndHeaders: true,
				BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x", "x-big", strings.Repeat("a", n))})
		}
		want, got := bothAtOnce(ha, goha, func(addr string) string { return h2Outcome(t, addr, false, send) })
		if want != got {
			t.Errorf("x-big of %d: haproxy %q, goha %q", n, want, got)
		}
		if w := map[int]string{15229: "HEADERS 200 open", 15230: "RST_STREAM(1,PROTOCOL_ERROR) open"}[n]; want != w {
			t.Errorf("x-big of %d: haproxy answered %q, want %q", n, want, w) // the boundary moved
		}
		sameLogLines(t, "x-big: "+want, haLog, goLog, 1)
	}
	fe := px.Frontends()[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "req_tot", fe.Requests}, {"fe/FRONTEND", "ereq", fe.ReqErrors}, {"fe/FRONTEND", "hrsp_4xx", fe.HRsp4xx},
	}, nil, false)
}
