package proxy

import (
	"slices"
	"testing"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// The bridge translates a response head equal to its scratch's last one
// from the cache, and what it takes from there (status, framing, head
// length, fields) is what parsing the bytes again gives, for repeated
// heads, heads that differ in one byte, heads followed by a body or by
// the next response, 1xx, chunked, bodiless and close-delimited ones.
func TestHeadCacheMatchesParse(t *testing.T) {
	nginx := "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n"
	steps := []struct {
		buf string
		hit bool
	}{
		{nginx + "hello world\n", false},
		{nginx + "hello world\n", true},
		{nginx, true},
		{nginx[:len(nginx)-1], false}, // incomplete: not taken from the cache
		{"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:01 GMT\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nhello world\n", false},
		{"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:01 GMT\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nHTTP/1.1 404", true},
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false},
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-A: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-A: 1\r\n\r\n", true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-A: 2\r\n\r\n", false},
		{"HTTP/1.1 200 OK\r\nX-A: 2\r\n\r\nuntil close", false},
		{"HTTP/1.1 200 OK\r\nX-A: 2\r\n\r\n", true},
		{"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 5\r\n\r\n", false},
	}
	sc := newStreamScratch()
	for i, step := range steps {
		buf := []byte(step.buf)
		var b streamBridge
		b.sc, b.fields = sc, sc.fields[:0]
		fields, hit := sc.lastHead.lookup(buf, &b.resp)
		if hit != step.hit {
			t.Fatalf("step %d: from the cache %v, want %v", i, hit, step.hit)
		}
		if !hit {
			if err := b.resp.Parse(buf); err != nil {
				if err != http1.ErrIncomplete {
					t.Fatalf("step %d: %v", i, err)
				}
				continue
			}
			fields = b.headFields()
			sc.lastHead.note(buf, &b.resp, fields)
		}
		var want http1.Response
		if err := want.Parse(buf); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		var wantFields []h2.Field
		for _, h := range want.Headers {
			if name := lowerName(h.Name); name != "" {
				wantFields = append(wantFields, h2.Field{Name: name, Value: string(h.Value)})
			}
		}
		if b.resp.Status != want.Status || !sameFraming(b.resp.Framing, want.Framing) || b.resp.HeadLen != want.HeadLen ||
			b.resp.Body(false) != want.Body(false) || !slices.Equal(fields, wantFields) {
			t.Errorf("step %d: status %d framing %+v head %d fields %q; parsing gives %d %+v %d %q", i,
				b.resp.Status, b.resp.Framing, b.resp.HeadLen, fields, want.Status, want.Framing, want.HeadLen, wantFields)
		}
	}
}

// sameFraming compares what a head says of its body and connection,
// Upgrade aside (the bridge does not read it).
func sameFraming(a, b http1.Framing) bool {
	return a.ContentLength == b.ContentLength && a.Chunked == b.Chunked && a.CLWithTE == b.CLWithTE &&
		a.ConnClose == b.ConnClose && a.ConnKeepAlive == b.ConnKeepAlive && a.ConnUpgrade == b.ConnUpgrade
}

// BenchmarkHeadCache translates nginx's head (as the session writes it
// to the bridge) into fields: from the cache, and parsed.
func BenchmarkHeadCache(b *testing.B) {
	head := []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:00 GMT\r\nContent-Type: text/html\r\n" +
		"Content-Length: 12\r\nLast-Modified: Sun, 06 Dec 2026 20:00:00 GMT\r\nETag: \"6935a0c0-c\"\r\nAccept-Ranges: bytes\r\n\r\nhello world\n")
	for _, cached := range []bool{true, false} {
		name := map[bool]string{true: "cached", false: "parse"}[cached]
		b.Run(name, func(b *testing.B) {
			sc := newStreamScratch()
			sc.lastHead.forget()
			var br streamBridge
			br.sc = sc
			for b.Loop() {
				br.fields = br.fields[:0]
				if _, ok := sc.lastHead.lookup(head, &br.resp); ok {
					continue
				}
				if err := br.resp.Parse(head); err != nil {
					b.Fatal(err)
				}
				fields := br.headFields()
				if cached {
					sc.lastHead.note(head, &br.resp, fields)
				}
			}
		})
	}
}
