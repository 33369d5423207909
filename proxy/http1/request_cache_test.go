package http1

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
)

// RequestCache rebuilds every field of Request: one added to Request or
// Framing must be handled there (a slice among the spans, a scalar in
// req) before this list is updated.
func TestRequestCacheKnowsEveryField(t *testing.T) {
	var names []string
	for _, typ := range []reflect.Type{reflect.TypeOf(Request{}), reflect.TypeOf(Framing{})} {
		for i := range typ.NumField() {
			names = append(names, typ.Field(i).Name)
		}
	}
	want := []string{"AcceptInvalid", "MaxHeaders", "AnyMethodPayload", "Prefetch", "Method", "Target", "Minor", "Version", "Headers", "HeadLen", "Framing",
		"Authority", "ExpectContinue", "FromH2", "ConnectTE", "ConnectCL", "LaxErrPos",
		"ContentLength", "Chunked", "CLWithTE", "ConnClose", "ConnKeepAlive", "ConnUpgrade", "Upgrade"}
	if !slices.Equal(names, want) {
		t.Fatalf("Request's fields are %q; RequestCache handles %q", names, want)
	}
}

// A head parsed through the cache gives the Request (slices at the same
// offsets, with the same capacity) and the buffer that Parse gives, hit
// or miss: repeated heads, heads followed by a body or by the next
// request, lax parsing, heads Parse rewrites in place (not cached), an
// empty value, errors.
func TestRequestCacheMatchesParse(t *testing.T) {
	get := "GET /index.html HTTP/1.1\r\nhost: example.com\r\nuser-agent: h2load\r\naccept: */*\r\n\r\n"
	steps := []struct {
		head string
		lax  bool
		hit  bool
	}{
		{get, false, false},
		{get, false, true},
		{get + "GET / HTTP/1.1\r\n", false, true},
		{get, true, false}, // AcceptInvalid differs
		{get, true, true},
		{get[:len(get)-2], true, false}, // incomplete
		{"POST /up HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\nx-empty:\r\nexpect: 100-continue\r\n\r\nhello", false, false},
		{"POST /up HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\nx-empty:\r\nexpect: 100-continue\r\n\r\nworld", false, true},
		{"POST /up HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", false, false},
		{"GET /ws HTTP/1.1\r\nhost: a\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-key: k\r\n\r\n", false, false},
		{"GET /ws HTTP/1.1\r\nhost: a\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-key: k\r\n\r\n", false, true},
		{"GET http://a:80/x HTTP/1.1\r\nhost: a\r\n\r\n", false, false}, // the port is cut in place
		{"GET http://a:80/x HTTP/1.1\r\nhost: a\r\n\r\n", false, false},
		{"GET /f HTTP/1.1\r\nhost: a\r\nx-f: a\r\n b\r\n\r\n", false, false}, // obs-fold, rewritten
		{"GET /f HTTP/1.1\r\nhost: a\r\nx-f: a\r\n b\r\n\r\n", false, false},
		{"GET /two HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n", false, false}, // an error
		{"GET /two HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n", false, false},
	}
	var c RequestCache
	var got Request
	for i, step := range steps {
		buf := make([]byte, len(step.head), len(step.head)+16)
		copy(buf, step.head)
		hit := c.ok && c.in.lax == step.lax && bytes.HasPrefix(buf, c.head)
		if hit != step.hit {
			t.Errorf("step %d: from the cache %v, want %v", i, hit, step.hit)
		}
		got.AcceptInvalid = step.lax
		err := c.Parse(&got, buf)
		want := Request{AcceptInvalid: step.lax}
		wbuf := make([]byte, len(step.head), len(step.head)+16)
		copy(wbuf, step.head)
		werr := want.Parse(wbuf)
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("step %d: error %v, Parse gives %v", i, err, werr)
		}
		if err != nil {
			continue
		}
		if !bytes.Equal(buf, wbuf) {
			t.Errorf("step %d: buffer %q, Parse leaves %q", i, buf, wbuf)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: %+v\nParse gives %+v", i, got, want)
		}
		for k, p := range [][2][]byte{{got.Method, want.Method}, {got.Target, want.Target}, {got.Version, want.Version}} {
			if cap(p[0]) != cap(p[1]) {
				t.Errorf("step %d: slice %d has capacity %d, %d from Parse", i, k, cap(p[0]), cap(p[1]))
			}
		}
		for k := range got.Headers {
			if cap(got.Headers[k].Value) != cap(want.Headers[k].Value) || cap(got.Headers[k].Name) != cap(want.Headers[k].Name) {
				t.Errorf("step %d: header %d's capacity differs from Parse's", i, k)
			}
		}
	}
}

// BenchmarkRequestCache parses an HTTP/2 client's head as the bridge
// writes it, again and again: from the cache, and with Parse.
func BenchmarkRequestCache(b *testing.B) {
	head := []byte("GET /index.html HTTP/1.1\r\nhost: 127.0.0.1:8443\r\naccept: */*\r\naccept-encoding: gzip, deflate\r\nuser-agent: h2load nghttp2/1.52.0\r\n\r\n")
	b.Run("cached", func(b *testing.B) {
		var c RequestCache
		var r Request
		for b.Loop() {
			if err := c.Parse(&r, head); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		var r Request
		for b.Loop() {
			if err := r.Parse(head); err != nil {
				b.Fatal(err)
			}
		}
	})
}
