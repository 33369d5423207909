package http1

import (
	"errors"
	"testing"
)

func TestRequestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		status  int // 0 = accepted
		method  string
		target  string
		minor   int
		cl      int64
		chunked bool
		clte    bool
		expect  bool
		upgrade bool
		close   bool
		hdrs    int
	}{
		{name: "simple", in: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1, hdrs: 1},
		{name: "bare LF", in: "GET /a HTTP/1.1\nHost: x\n\n", method: "GET", target: "/a", minor: 1, cl: -1, hdrs: 1},
		{name: "leading CRLF", in: "\r\nGET / HTTP/1.1\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1},
		{name: "http10 closes", in: "GET / HTTP/1.0\r\n\r\n", method: "GET", target: "/", minor: 0, cl: -1, close: true},
		{name: "http10 keepalive", in: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", method: "GET", target: "/", cl: -1, hdrs: 1},
		{name: "other version becomes 1.1", in: "GET / HTTP/2.5\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1},
		{name: "absolute uri", in: "GET http://x/a?b HTTP/1.1\r\n\r\n", method: "GET", target: "http://x/a?b", minor: 1, cl: -1},
		{name: "relative target without Host", in: "GET a HTTP/1.1\r\n\r\n", method: "GET", target: "a", minor: 1, cl: -1},
		{name: "no scheme, authority is Host", in: "GET T.example/a/b HTTP/1.1\r\nHost: t.example\r\n\r\n", method: "GET", target: "T.example/a/b", minor: 1, cl: -1, hdrs: 1},
		{name: "no scheme, userinfo left out", in: "GET u@t/a HTTP/1.1\r\nHost: t\r\n\r\n", method: "GET", target: "u@t/a", minor: 1, cl: -1, hdrs: 1},
		{name: "empty authority", in: "GET @ HTTP/1.1\r\nHost: t\r\n\r\n", method: "GET", target: "@", minor: 1, cl: -1, hdrs: 1},
		{name: "asterisk and more", in: "GET *x HTTP/1.1\r\nHost: t\r\n\r\n", method: "GET", target: "*x", minor: 1, cl: -1, hdrs: 1},
		{name: "content-length", in: "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", method: "POST", target: "/", minor: 1, cl: 3, hdrs: 1},
		{name: "same CL twice merged", in: "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", method: "POST", target: "/", minor: 1, cl: 3, hdrs: 1},
		{name: "CL list identical", in: "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n", method: "POST", target: "/", minor: 1, cl: 3, hdrs: 1},
		{name: "chunked", in: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", method: "POST", target: "/", minor: 1, cl: -1, chunked: true, hdrs: 1},
		{name: "CL with TE drops CL", in: "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", method: "POST", target: "/", minor: 1, cl: -1, chunked: true, clte: true, hdrs: 1},
		{name: "expect", in: "POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", method: "POST", target: "/", minor: 1, cl: 1, expect: true, hdrs: 2},
		{name: "websocket", in: "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1, upgrade: true, hdrs: 3},
		{name: "obs-fold unfolded", in: "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1, hdrs: 1},
		{name: "CTL in value passes", in: "GET / HTTP/1.1\r\nX-A: a\x01b\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1, hdrs: 1},

		{name: "double space in request line", in: "GET  /a  HTTP/1.1\r\n\r\n", method: "GET", target: "/a", minor: 1, cl: -1},
		{name: "TAB in request line", in: "GET\t/a HTTP/1.1\r\n\r\n", method: "GET", target: "/a", minor: 1, cl: -1},
		{name: "asterisk", in: "OPTIONS * HTTP/1.1\r\n\r\n", method: "OPTIONS", target: "*", minor: 1, cl: -1},
		{name: "connect authority", in: "CONNECT t:443 HTTP/1.1\r\n\r\n", method: "CONNECT", target: "t:443", minor: 1, cl: -1},
		{name: "default port dropped", in: "GET http://a:80/x HTTP/1.1\r\nHost: a:80\r\n\r\n", method: "GET", target: "http://a/x", minor: 1, cl: -1, hdrs: 1},
		{name: "https default port dropped", in: "GET HTTPS://a:443 HTTP/1.1\r\nHost: A\r\n\r\n", method: "GET", target: "HTTPS://a", minor: 1, cl: -1, hdrs: 1},
		{name: "empty port dropped", in: "GET http://a:/x HTTP/1.1\r\n\r\n", method: "GET", target: "http://a/x", minor: 1, cl: -1},
		{name: "other port kept", in: "GET http://a:8080/x HTTP/1.1\r\nHost: a:8080\r\n\r\n", method: "GET", target: "http://a:8080/x", minor: 1, cl: -1, hdrs: 1},
		{name: "userinfo not compared", in: "GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "http://u@a/x", minor: 1, cl: -1, hdrs: 1},
		{name: "identical hosts merged", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: A\r\n\r\n", method: "GET", target: "/", minor: 1, cl: -1, hdrs: 1},
		{name: "TE trailing comma", in: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked,\r\n\r\n", method: "POST", target: "/", minor: 1, cl: -1, chunked: true, hdrs: 1},

		{name: "connect default port off Host", in: "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", method: "CONNECT", target: "t:443", minor: 1, cl: -1, hdrs: 1},
		{name: "connect port 80 Host without", in: "CONNECT t:80 HTTP/1.1\r\nHost: t\r\n\r\n", method: "CONNECT", target: "t:80", minor: 1, cl: -1, hdrs: 1},
		{name: "connect other port", in: "CONNECT t:8443 HTTP/1.1\r\nHost: t:8443\r\n\r\n", method: "CONNECT", target: "t:8443", minor: 1, cl: -1, hdrs: 1},
		{name: "connect host differs", in: "CONNECT t:443 HTTP/1.1\r\nHost: u:443\r\n\r\n", status: 400},
		{name: "connect without port", in: "CONNECT t HTTP/1.1\r\n\r\n", status: 400},
		{name: "connect absolute", in: "CONNECT http://t/ HTTP/1.1\r\n\r\n", status: 400},
		{name: "connect asterisk", in: "CONNECT * HTTP/1.1\r\n\r\n", status: 400},
		{name: "fragment", in: "GET /a#b HTTP/1.1\r\n\r\n", status: 400},
		{name: "non-ASCII target", in: "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", status: 400},
		{name: "relative target, authority differs from Host", in: "GET a HTTP/1.1\r\nHost: t\r\n\r\n", status: 400},
		{name: "query only, authority differs from Host", in: "GET ? HTTP/1.1\r\nHost: t\r\n\r\n", status: 400},
		{name: "scheme without slashes", in: "GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "no scheme, no default port dropped", in: "GET t:80/x HTTP/1.1\r\nHost: t\r\n\r\n", status: 400},
		{name: "CONNECT origin form", in: "CONNECT /x HTTP/1.1\r\n\r\n", status: 400},
		{name: "authority differs", in: "GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n", status: 400},
		{name: "authority port differs", in: "GET http://a:8080/x HTTP/1.1\r\nHost: a\r\n\r\n", status: 400},
		{name: "authority with query", in: "GET http://a?x HTTP/1.1\r\nHost: a\r\n\r\n", status: 400},
		{name: "two hosts", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400},
		{name: "h2 preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 400},
		{name: "trailing space after version", in: "GET / HTTP/1.1 \r\n\r\n", status: 400},
		{name: "leading space", in: " GET / HTTP/1.1\r\n\r\n", status: 400},
		{name: "CL trailing comma", in: "POST / HTTP/1.1\r\nContent-Length: 3,\r\n\r\n", status: 400},
		{name: "CL leading comma", in: "POST / HTTP/1.1\r\nContent-Length: ,3\r\n\r\n", status: 400},
		{name: "TE leading comma", in: "POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n", status: 422},
		{name: "conflicting CL", in: "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", status: 400},
		{name: "CL list differing", in: "POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", status: 400},
		{name: "negative CL", in: "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", status: 400},
		{name: "empty CL", in: "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", status: 400},
		{name: "huge CL", in: "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400},
		{name: "TE not chunked", in: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400},
		{name: "TE chunked twice", in: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", status: 400},
		{name: "TE gzip chunked", in: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 422},
		{name: "space before colon", in: "GET / HTTP/1.1\r\nX-A : b\r\n\r\n", status: 400},
		{name: "CTL in name", in: "GET / HTTP/1.1\r\nX\x01A: b\r\n\r\n", status: 400},
		{name: "NUL in value", in: "GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n", status: 400},
		{name: "bad method", in: "G(T / HTTP/1.1\r\n\r\n", status: 400},
		{name: "http09", in: "GET /\r\n\r\n", status: 400},
		{name: "bad version", in: "GET / HTTX/1.1\r\n\r\n", status: 400},
		{name: "space in target", in: "GET /a b HTTP/1.1\r\n\r\n", status: 400},
		{name: "fold first", in: "GET / HTTP/1.1\r\n X: a\r\n\r\n", status: 400},
		{name: "no colon", in: "GET / HTTP/1.1\r\nXA\r\n\r\n", status: 400},
		{name: "websocket without key", in: "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", status: 400},
	}
	var r Request
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Parse([]byte(tt.in))
			if tt.status != 0 {
				var pe *Error
				if !errors.As(err, &pe) || pe.Status != tt.status {
					t.Fatalf("err = %v, want status %d", err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := []any{string(r.Method), string(r.Target), r.Minor, r.ContentLength, r.Chunked, r.CLWithTE, r.ExpectContinue, r.IsUpgrade(), r.WantsClose(), len(r.Headers)}
			want := []any{tt.method, tt.target, tt.minor, tt.cl, tt.chunked, tt.clte, tt.expect, tt.upgrade, tt.close, tt.hdrs}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("field %d = %v, want %v (all %v)", i, got[i], want[i], got)
				}
			}
			if r.HeadLen > len(tt.in) || (tt.in[r.HeadLen-1] != '\n') {
				t.Fatalf("HeadLen %d does not end at the empty line", r.HeadLen)
			}
		})
	}
}

func TestObsFoldValue(t *testing.T) {
	var r Request
	if err := r.Parse([]byte("GET / HTTP/1.1\r\nX-A: a\r\n b\r\nHost: h\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// HAProxy replaces the CR LF with spaces: "a" CR LF SP "b" -> "a   b".
	if v := string(r.Header("x-a")); v != "a   b" {
		t.Fatalf("x-a = %q", v)
	}
	if v := string(r.Header("host")); v != "h" {
		t.Fatalf("host = %q", v)
	}
}

func TestRequestIncomplete(t *testing.T) {
	full := "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n"
	var r Request
	for i := range len(full) {
		if err := r.Parse([]byte(full[:i])); err != ErrIncomplete {
			t.Fatalf("prefix %d: err = %v, want ErrIncomplete", i, err)
		}
	}
	if err := r.Parse([]byte(full + "ok")); err != nil || r.HeadLen != len(full) {
		t.Fatalf("err %v headlen %d", err, r.HeadLen)
	}
}

func TestTooManyHeaders(t *testing.T) {
	s := "GET / HTTP/1.1\r\n"
	for range MaxHeaders + 1 {
		s += "X: y\r\n"
	}
	var r Request
	var pe *Error
	if err := r.Parse([]byte(s + "\r\n")); !errors.As(err, &pe) || pe.Status != 400 {
		t.Fatalf("err = %v", err)
	}
}

func TestResponseParse(t *testing.T) {
	tests := []struct {
		in     string
		status int
		body   BodyKind
		head   bool
		keep   bool
		bad    bool
	}{
		{in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", status: 200, body: BodyLength, keep: true},
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", status: 200, body: BodyChunked, keep: true},
		{in: "HTTP/1.1 200 OK\r\n\r\n", status: 200, body: BodyUntilClose, keep: true},
		{in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", status: 200, body: BodyNone, head: true, keep: true},
		{in: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, body: BodyNone, keep: true},
		{in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", status: 304, body: BodyNone, keep: true},
		{in: "HTTP/1.1 100 Continue\r\n\r\n", status: 100, body: BodyNone, keep: true},
		{in: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, body: BodyLength},
		{in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status: 200, body: BodyLength},
		{in: "HTTP/1.1 200\r\n\r\n", status: 200, body: BodyUntilClose, keep: true},
		// HAProxy 2.6 answers 502 for any response coding but "chunked".
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", bad: true},
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", bad: true},
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", bad: true},
		{in: "garbage\r\n\r\n", bad: true},
		{in: "HTTP/1.1 2x0 OK\r\n\r\n", bad: true},
		{in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", bad: true},
	}
	var r Response
	for _, tt := range tests {
		err := r.Parse([]byte(tt.in))
		if tt.bad {
			if err == nil || err == ErrIncomplete {
				t.Errorf("%q: err = %v, want parse error", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if r.Status != tt.status || r.Body(tt.head) != tt.body || r.KeepAlive() != tt.keep {
			t.Errorf("%q: status %d body %v keep %v", tt.in, r.Status, r.Body(tt.head), r.KeepAlive())
		}
	}
}

// LastHeader is the last occurrence, whatever the case it was sent in (the
// name asked for is lower case, as for Header); a header present with an
// empty value is found (empty, not nil).
func TestLastHeader(t *testing.T) {
	var r Request
	if err := r.Parse([]byte("GET / HTTP/1.1\r\nX-Key: a\r\nHost: h\r\nx-key: b, c\r\nEmpty:\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := string(r.LastHeader("x-key")); got != "b, c" {
		t.Errorf("LastHeader(x-key) = %q", got)
	}
	if got := string(r.Header("x-key")); got != "a" {
		t.Errorf("Header(x-key) = %q (the first)", got)
	}
	if v := r.LastHeader("empty"); v == nil || len(v) != 0 {
		t.Errorf("LastHeader(empty) = %#v, want empty and not nil", v)
	}
	if v := r.LastHeader("missing"); v != nil {
		t.Errorf("LastHeader(missing) = %q", v)
	}
}
