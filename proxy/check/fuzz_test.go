package check

import (
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzHealth: whatever the results, the counter stays in range, the state
// is UP exactly when it should be, and Status never lies about it.
func FuzzHealth(f *testing.F) {
	f.Add(uint8(2), uint8(3), []byte{0, 1, 1, 0, 0, 0})
	f.Add(uint8(1), uint8(1), []byte{1, 0, 1})
	f.Add(uint8(10), uint8(2), []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0})
	f.Fuzz(func(t *testing.T, rise, fall uint8, results []byte) {
		h := NewHealth(int(rise%16), int(fall%16))
		for _, b := range results {
			wasUp := h.Up()
			_, flipped := h.Observe(b&1 == 1)
			if h.Value() < 0 || h.Value() > h.Rise+h.Fall-1 {
				t.Fatalf("health %d out of [0,%d]", h.Value(), h.Rise+h.Fall-1)
			}
			if flipped != (wasUp != h.Up()) {
				t.Fatal("flipped disagrees with Up")
			}
			if h.Up() && h.Value() < h.Rise || !h.Up() && h.Value() >= h.Rise {
				t.Fatalf("up=%v with health %d rise %d", h.Up(), h.Value(), h.Rise)
			}
			if strings.HasSuffix(h.Status(), " UP") != h.Up() {
				t.Fatalf("status %q but up=%v", h.Status(), h.Up())
			}
		}
	})
}

// FuzzHTTPResponse feeds arbitrary server answers to the HTTP probe: no
// panic, and only a well-formed 2xx/3xx can pass.
func FuzzHTTPResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), "string", "ok")
	f.Add([]byte("HTTP/1.0 503 Service Unavailable\r\n\r\n"), "status", "200-599")
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n"), "rstring", "a.*b")
	f.Add([]byte("garbage"), "rstatus", "^2")
	f.Fuzz(func(t *testing.T, reply []byte, kind, pattern string) {
		p := HTTPProbe{Request: defaultRequest}
		if e, err := parseExpect([]string{kind, pattern}); err == nil {
			p.Expects = []Expect{e}
		}
		client, server := net.Pipe()
		go func() {
			buf := make([]byte, 512)
			server.SetDeadline(time.Now().Add(time.Second))
			server.Read(buf)
			server.Write(reply)
			server.Close()
		}()
		client.SetDeadline(time.Now().Add(time.Second))
		r := p.exchange(client)
		client.Close()
		if r.Passed() && len(p.Expects) == 0 && (r.Code < 200 || r.Code > 399) {
			t.Fatalf("passed with code %d", r.Code)
		}
		if r.Passed() && !strings.HasPrefix(string(reply), "HTTP/") {
			t.Fatalf("passed on %q", reply)
		}
	})
}

// FuzzParseExpect and FuzzApplySend never panic on any words.
func FuzzParseExpect(f *testing.F) {
	f.Add("! status 200,300-399")
	f.Add("comment x rstring ^a(b")
	f.Add("meth GET uri / hdr Host x body")
	f.Fuzz(func(t *testing.T, line string) {
		w := strings.Fields(line)
		parseExpect(w)
		var r ProbeRequest
		applySend(&r, w)
		r.Bytes()
		if len(w) >= 3 {
			OptionHTTPChk(w[0], w[1], w[2])
		}
	})
}
