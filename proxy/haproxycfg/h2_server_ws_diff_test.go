package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2WSServer is an HTTP/2 server in clear text for extended CONNECT
// (RFC 8441), offering it in its SETTINGS unless noExt: it answers a
// stream by its :path (/ws: 200, then sends back the DATA in upper case
// and "bye" with END_STREAM at the client's; /ws-403: 403) and records,
// by path, the SETTINGS of its connection, the request's fields, the
// DATA and how the stream ended.
type h2WSServer struct {
	noExt bool
	mu    sync.Mutex
	seen  map[string]*strings.Builder
}

func (h *h2WSServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(8 * time.Second))
	pre := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, pre); err != nil {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	set := []http2.Setting{{ID: http2.SettingMaxConcurrentStreams, Val: 100}}
	if !h.noExt {
		set = append(set, http2.Setting{ID: http2.SettingEnableConnectProtocol, Val: 1})
	}
	fr.WriteSettings(set...)
	var settings string
	recs := map[uint32]*strings.Builder{}
	note := func(id uint32, s string) {
		h.mu.Lock()
		if b := recs[id]; b != nil {
			b.WriteString(s + "\n")
		}
		h.mu.Unlock()
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				settings = h2SettingList(f)
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			var s []string
			path := ""
			for _, hf := range f.Fields {
				s = append(s, hf.Name+": "+hf.Value)
				if hf.Name == ":path" || (hf.Name == ":authority" && path == "") {
					path = hf.Value // (a CONNECT's: its authority)
				}
			}
			b := &strings.Builder{}
			fmt.Fprintf(b, "settings %s\nheaders end=%v %s\n", settings, f.StreamEnded(), strings.Join(s, ", "))
			h.mu.Lock()
			recs[f.StreamID] = b
			h.seen[path] = b
			h.mu.Unlock()
			var hb bytes.Buffer
			enc := hpack.NewEncoder(&hb)
			status := "200"
			if strings.HasPrefix(path, "/ws-403") || strings.HasPrefix(path, "/head") {
				status = "403"
			}
			enc.WriteField(hpack.HeaderField{Name: ":status", Value: status})
			enc.WriteField(hpack.HeaderField{Name: "x-srv", Value: "1"})
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: status != "200"})
		case *http2.DataFrame:
			note(f.StreamID, fmt.Sprintf("data %q end=%v", f.Data(), f.StreamEnded()))
			if len(f.Data()) > 0 {
				fr.WriteData(f.StreamID, false, bytes.ToUpper(f.Data()))
			}
			if f.StreamEnded() {
				fr.WriteData(f.StreamID, true, []byte("bye"))
			}
		case *http2.RSTStreamFrame:
			note(f.StreamID, "rst "+f.ErrCode.String())
		}
	}
}

// TestH2ServerWebSocketMatchesHAProxy: an HTTP/1.1 client's WebSocket
// upgrade toward an HTTP/2 server (proto h2) beside HAProxy 2.6.12: the
// SETTINGS it is sent, the extended CONNECT it gets (pseudo-fields and
// fields in HAProxy's order), its 200 coming back as a 101 with the
// accept of the client's key, the tunnel both ways to each side's end;
// a 403 passed on (the request's side then ended with END_STREAM and
// RST_STREAM STREAM_CLOSED, %B counted as HAProxy); a server that does
// not offer extended CONNECT gets no stream and the client a 502; a
// CONNECT tunnelled on its 200; a HEAD's origin-form request as :scheme
// https without :authority. The bytes at the client, what the server
// saw (frames included), the log lines.
func TestH2ServerWebSocketMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	ext := &h2WSServer{seen: map[string]*strings.Builder{}}
	noExt := &h2WSServer{noExt: true, seen: map[string]*strings.Builder{}}
	extAddr := loopback.ServeEach(t, loopback.Listen(t), ext.serve)
	noExtAddr := loopback.ServeEach(t, loopback.Listen(t), noExt.serve)
	cfg := httpLogHead + `frontend fe
    bind BIND
    use_backend noext if { path_beg /noext }
    default_backend ext
backend ext
    server s1 ` + extAddr + ` proto h2
backend noext
    server s1 ` + noExtAddr + ` proto h2
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	drainLines(haLog, 300*time.Millisecond)
	drainLines(goLog, 50*time.Millisecond)
	for _, path := range []string{"/ws?q=1", "/ws-403", "/noext/ws", "t.example:443", "/head"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: a.example\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-A: 1\r\n\r\n"
		if path == "/head" {
			// a HEAD's answer has no body: no chunked framing either
			req = "HEAD /head HTTP/1.1\r\nHost: a.example\r\n\r\n"
		}
		if path[0] != '/' {
			// a CONNECT: :method and :authority only, its 2xx a tunnel
			req = "CONNECT " + path + " HTTP/1.1\r\nHost: " + path + "\r\nX-A: 1\r\n\r\n"
		}
		var got, seen [2]string
		for i, addr := range []string{ha, goha} {
			got[i] = h1WSClient(addr, req)
			time.Sleep(50 * time.Millisecond)
			for _, s := range []*h2WSServer{ext, noExt} {
				s.mu.Lock()
				if b := s.seen[path]; b != nil {
					seen[i] = b.String()
				}
				delete(s.seen, path)
				s.mu.Unlock()
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s: the client got\nhaproxy %q\ngoha    %q", path, got[0], got[1])
		}
		if seen[0] != seen[1] {
			t.Errorf("%s: the server saw\nhaproxy %s\ngoha    %s", path, seen[0], seen[1])
		}
		w, g := loggedBoth(haLog, goLog, true)
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", path, w, g)
		}
		t.Logf("%s: %q\n%s%q", path, got[0], seen[0], w)
	}
}

// h1WSClient sends an upgrade request, reads the answer's head, sends
// "frame" and half-closes, and reads to the end.
func h1WSClient(addr, req string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte(req))
	br := bufio.NewReader(c)
	head, err := readHead(br)
	if err != nil {
		return head + " [" + endOf(err) + "]"
	}
	if strings.Contains(head, " 101 ") || strings.HasPrefix(req, "CONNECT") {
		time.Sleep(100 * time.Millisecond)
		c.Write([]byte("frame"))
		time.Sleep(100 * time.Millisecond)
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
	rest, err := io.ReadAll(br)
	out := head + string(rest)
	switch {
	case err == nil:
	case isTimeoutErr(err):
		out += " [kept open]"
	default:
		out += " [" + endOf(err) + "]"
	}
	return out
}

func isTimeoutErr(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
