package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// prefixEcho is a tcp server answering "<prefix>:" and the first bytes
// it reads, then closing.
func prefixEcho(t *testing.T, prefix string) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 32)
		n, _ := c.Read(b)
		c.Write(append([]byte(prefix+":"), b[:n]...))
	})
}

// TestDynamicBackendTCPDifferential: a tcp frontend's `use_backend
// %[...]` names its backend per connection (the payload's first bytes
// here); a name no backend has sends the connection to the default
// backend, beside HAProxy 2.6.12: the client's bytes and the log lines.
func TestDynamicBackendTCPDifferential(t *testing.T) {
	cfg := tcpLogHead + `frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    tcp-request content accept if { req.len ge 2 }
    use_backend %[req.payload(0,2),lower] if { req.len ge 2 }
    default_backend bt
backend bt
    server s1 ` + prefixEcho(t, "bt") + `
backend b2
    server s1 ` + prefixEcho(t, "b2") + `
`
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	sameAnswersLogged(t, ha, goha, haLog, goLog, "BT hello", "B2 hello", "XX hello", "b2")
}

// TestDynamicBackendOtherModeDifferential: an HTTP frontend's dynamic
// use_backend naming a tcp backend: HAProxy 2.6.12 closes the connection
// without an answer and logs the request with status 500 and IR; a name
// no backend has goes to the default backend; an HTTP/2 stream is
// refused (RST_STREAM REFUSED_STREAM), its connection kept. Compared: the client's
// bytes, the log lines, and show stat's counters.
func TestDynamicBackendOtherModeDifferential(t *testing.T) {
	t.Parallel()
	web := startRecorder(t)
	web.reset([]byte("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n"), false)
	cfg := `global
    log LOG local0
defaults
    log global
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fh
    mode http
    option httplog
    bind BIND
    use_backend %[path,regsub(^/,)]
    default_backend bh
backend bh
    mode http
    server s1 ` + web.ln.Addr().String() + `
backend b2
    mode tcp
    server s1 ` + prefixEcho(t, "b2") + `
`
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	fe0, bh0, b20 := px.Frontends()[0].Stats, px.Backends()[0].Stats, px.Backends()[1].Stats
	var raws []string
	for _, p := range []string{"/b2", "/bh", "/nope"} {
		raws = append(raws, "GET "+p+" HTTP/1.1\r\nhost: x\r\n\r\n")
	}
	sameAnswersLogged(t, ha, goha, haLog, goLog, raws...)
	// over HTTP/2 the stream is refused, RST_STREAM REFUSED_STREAM
	// (measured), and logged as over HTTP/1.1
	h2 := [2]string{}
	for i, addr := range []string{ha, goha} {
		h2[i] = h2ConnectClient(addr, ":method=GET", ":scheme=http", ":authority=x", ":path=/b2")
	}
	if h2[0] != h2[1] || !strings.Contains(h2[0], "REFUSED_STREAM") {
		t.Errorf("h2 /b2\nhaproxy: %s\ngoha:    %s", h2[0], h2[1])
	}
	sameLogLines(t, "h2 /b2", haLog, goLog, 1)
	after := haproxytest.StatsCmd(t, sock, "show stat")
	fe, bh, b2 := px.Frontends()[0].Stats, px.Backends()[0].Stats, px.Backends()[1].Stats
	sameStatDeltas(t, before, after, []statCounter{
		{"fh/FRONTEND", "req_tot", fe.Requests - fe0.Requests},
		{"fh/FRONTEND", "hrsp_5xx", fe.HRsp5xx - fe0.HRsp5xx},
		{"bh/BACKEND", "stot", bh.Sessions - bh0.Sessions},
		{"b2/BACKEND", "stot", b2.Sessions - b20.Sessions},
		{"b2/BACKEND", "scur", b2.CurSessions - b20.CurSessions},
	}, nil, true)
}
