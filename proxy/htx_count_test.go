package proxy

import (
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

// The sizes below are the %B/%U HAProxy 2.6.12 logged for these messages
// (TestLogBytesMatchHAProxy measures them live).
func TestHTXMessageSize(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want int64
	}{
		{builtinErrors[403], 192},
		{builtinErrors[503], 217},
		{"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Srv: a, b\r\nSet-Cookie: s=1\r\nContent-Type: text/plain\r\n\r\nhello\n", 99},
		// connection: close is the H1 layer's, not the message's
		{"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\nX-Srv: a, b\r\nSet-Cookie: s=1\r\nContent-Type: text/plain\r\n\r\nhello\n", 99},
		{"HTTP/1.1 200 OK\r\nConnection: upgrade\r\n\r\n", 21 + 13 + 17},
		{"HTTP/1.1 204 \r\n\r\n", 21 + 11},
	} {
		if got := htxMessageSize([]byte(c.raw)); got != c.want {
			t.Errorf("%q: %d, want %d", c.raw, got, c.want)
		}
	}
}

func TestHTXHeadSize(t *testing.T) {
	hs := func(kv ...string) []http1.Header {
		var out []http1.Header
		for i := 0; i < len(kv); i += 2 {
			out = append(out, http1.Header{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
		}
		return out
	}
	for _, c := range []struct {
		a, b, c string
		hs      []http1.Header
		want    int64
	}{
		{"GET", "/a", "HTTP/1.1", hs("Host", "h", "Connection", "close"), 39},
		{"GET", "/d", "HTTP/1.0", nil, 34},
		{"POST", "/c", "HTTP/1.1", hs("Host", "h", "Content-Length", "3", "Connection", "Keep-Alive, close"), 55},
		{"HTTP/1.1", "200", "OK", hs("Connection", "close, x"), 34 + 10 + 8},
	} {
		if got := htxHeadSize([]byte(c.a), []byte(c.b), []byte(c.c), c.hs); got != c.want {
			t.Errorf("%s %s %s %v: %d, want %d", c.a, c.b, c.c, c.hs, got, c.want)
		}
	}
	if got := string(statusDigits(204)); got != "204" {
		t.Errorf("statusDigits(204) = %q", got)
	}
}
