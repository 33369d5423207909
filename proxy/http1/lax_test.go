package http1

import (
	"errors"
	"fmt"
	"testing"
)

// The lax mode is `option accept-invalid-http-request|response`; every
// row was checked against haproxy 2.6.12 (testdata/http1/accept-invalid-*
// hold the same shapes and run against it in proxy/haproxycfg). strict is the
// status without the option (0 = accepted there too).

func TestRequestLax(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		status  int // lax: 0 = accepted
		strict  int // without the option
		target  string
		version string // forwarded version ("" = HTTP/1.1, as received otherwise)
		names   []string
		host    string // Host value after parsing ("-" = none)
		headLen int    // 0 = whole input
	}{
		{name: "name with a space", in: "GET / HTTP/1.1\r\nX Y: z\r\n\r\n", strict: 400, target: "/", names: []string{"X Y"}, host: "-"},
		{name: "name with NUL, DEL, 0xe9", in: "GET / HTTP/1.1\r\nX\x00\x7f\xe9: z\r\n\r\n", strict: 400, target: "/", names: []string{"X\x00\x7f\xe9"}, host: "-"},
		{name: "name with CR inside", in: "GET / HTTP/1.1\r\nX\rY: z\r\n\r\n", strict: 400, target: "/", names: []string{"X\rY"}, host: "-"},
		{name: "name ending in CR", in: "GET / HTTP/1.1\r\nXY\r: z\r\n\r\n", strict: 400, target: "/", names: []string{"XY\r"}, host: "-"},
		{name: "name with trailing blank is another name", in: "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello", strict: 400, target: "/", names: []string{"Content-Length "}, host: "-", headLen: 39},
		{name: "blank opening the first line is part of the name", in: "GET / HTTP/1.1\r\n X: y\r\nHost: t\r\n\r\n", strict: 400, target: "/", names: []string{" X", "Host"}, host: "t"},
		{name: "blank opening a later line still folds", in: "GET / HTTP/1.1\r\nHost: t\r\n :x\r\n\r\n", target: "/", names: []string{"Host"}, host: "t   :x"},
		{name: "no colon", in: "GET / HTTP/1.1\r\nnocolon\r\n\r\n", status: 400, strict: 400},
		{name: "empty name", in: "GET / HTTP/1.1\r\n: z\r\n\r\n", status: 400, strict: 400},
		{name: "line opening with CR", in: "GET / HTTP/1.1\r\n\r: z\r\n\r\n", status: 400, strict: 400},
		{name: "name too long", in: "GET / HTTP/1.1\r\n" + string(make256('X')) + ": z\r\n\r\n", status: 400, strict: 400},

		{name: "fragment", in: "GET /a#b HTTP/1.1\r\nHost: t\r\n\r\n", strict: 400, target: "/a#b", names: []string{"Host"}, host: "t"},
		{name: "byte 0xe9 in target", in: "GET /\xe9 HTTP/1.1\r\n\r\n", strict: 400, target: "/\xe9", host: "-"},
		{name: "control byte in target", in: "GET /a\x01b HTTP/1.1\r\n\r\n", status: 400, strict: 400},
		{name: "target without slash", in: "GET x HTTP/1.1\r\nHost: t\r\n\r\n", strict: 400, target: "x", names: []string{"Host"}, host: "t"},
		{name: "CONNECT with a path", in: "CONNECT /x HTTP/1.1\r\nHost: t\r\n\r\n", strict: 400, target: "/x", names: []string{"Host"}, host: "t"},
		{name: "authority differs: Host kept", in: "GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n", strict: 400, target: "http://a/x", names: []string{"Host"}, host: "b"},
		{name: "default port dropped: Host is the URI's", in: "GET http://u@a:80/x HTTP/1.1\r\nHost: b:80\r\n\r\n", strict: 400, target: "http://u@a/x", names: []string{"Host"}, host: "a"},
		{name: "CONNECT authority differs: Host kept", in: "CONNECT a:443 HTTP/1.1\r\nHost: b:443\r\n\r\n", strict: 400, target: "a:443", names: []string{"Host"}, host: "b:443"},
		{name: "CONNECT same host: default port off Host", in: "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", target: "a:443", names: []string{"Host"}, host: "a"},
		{name: "two different Host", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, strict: 400},

		{name: "HTTP/1.10 as written", in: "GET / HTTP/1.10\r\n\r\n", strict: 400, target: "/", version: "HTTP/1.10", host: "-"},
		{name: "RTSP/1.0 as written", in: "GET / RTSP/1.0\r\n\r\n", strict: 400, target: "/", version: "RTSP/1.0", host: "-"},
		{name: "RTSP/1.1 is 1.1", in: "GET / RTSP/1.1\r\n\r\n", strict: 400, target: "/", host: "-"},
		{name: "HTTP/1.X is 1.1", in: "GET / HTTP/1.X\r\n\r\n", strict: 400, target: "/", host: "-"},
		{name: "digits only", in: "GET / 1.1\r\n\r\n", strict: 400, target: "/", version: "1.1", host: "-"},
		{name: "HTTP/0.9 kept", in: "GET / HTTP/0.9\r\n\r\n", target: "/", version: "HTTP/0.9", host: "-"},
		{name: "lower-case version", in: "GET / http/1.1\r\n\r\n", status: 400, strict: 400},
		{name: "underscore in version", in: "GET / HTTP_1.1\r\n\r\n", status: 400, strict: 400},
		{name: "blank after version", in: "GET / HTTP/1.1 \r\n\r\n", status: 400, strict: 400},

		{name: "HTTP/0.9", in: "GET /\r\n\r\n", strict: 400, target: "/", version: "HTTP/1.0", host: "-", headLen: 7},
		{name: "HTTP/0.9 line only", in: "GET /x\r\n", strict: 400, target: "/x", version: "HTTP/1.0", host: "-"},
		{name: "HTTP/0.9 headers not read", in: "GET /\r\nHost: t\r\n\r\n", strict: 400, target: "/", version: "HTTP/1.0", host: "-", headLen: 7},
		{name: "HTTP/0.9 trailing blank", in: "GET / \n", strict: 400, target: "/", version: "HTTP/1.0", host: "-"},
		{name: "HTTP/0.9 POST", in: "POST /\r\n\r\n", status: 400, strict: 400},
		{name: "HTTP/0.9 without target", in: "GET \r\n\r\n", status: 400, strict: 400},
		{name: "PRI preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 400, strict: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Request
			if got := statusOf(s.Parse([]byte(tc.in))); got != tc.strict {
				t.Fatalf("strict: status %d, want %d", got, tc.strict)
			}
			r := Request{AcceptInvalid: true}
			err := r.Parse([]byte(tc.in))
			if got := statusOf(err); got != tc.status {
				t.Fatalf("lax: status %d (%v), want %d", got, err, tc.status)
			}
			if !r.AcceptInvalid {
				t.Fatal("Parse dropped AcceptInvalid")
			}
			if tc.status != 0 {
				return
			}
			want := tc.headLen
			if want == 0 {
				want = len(tc.in)
			}
			if string(r.Target) != tc.target || r.HeadLen != want {
				t.Errorf("target %q headlen %d, want %q %d", r.Target, r.HeadLen, tc.target, want)
			}
			if got := forwarded(r.Minor, r.Version); got != tc.version {
				t.Errorf("minor %d version %q: forwarded as %q, want %q", r.Minor, r.Version, got, tc.version)
			}
			var names []string
			for _, h := range r.Headers {
				names = append(names, string(h.Name))
			}
			if fmt.Sprintf("%q", names) != fmt.Sprintf("%q", tc.names) {
				t.Errorf("names %q, want %q", names, tc.names)
			}
			host := "-"
			if v := r.Header("host"); v != nil {
				host = string(v)
			}
			if host != tc.host {
				t.Errorf("Host %q, want %q", host, tc.host)
			}
		})
	}
}

func TestResponseLax(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		status  int
		strict  int
		version string
		code    int
		names   []string
		kind    BodyKind
	}{
		{name: "name with a space", in: "HTTP/1.1 200 OK\r\nX Y: z\r\nContent-Length: 2\r\n\r\n", strict: 400, code: 200, names: []string{"X Y", "Content-Length"}, kind: BodyLength},
		{name: "content-length with a blank frames nothing", in: "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n", strict: 400, code: 200, names: []string{"Content-Length "}, kind: BodyUntilClose},
		{name: "blank opening the first line", in: "HTTP/1.1 200 OK\r\n X: y\r\n\r\n", strict: 400, code: 200, names: []string{" X"}, kind: BodyUntilClose},
		{name: "HTTP/1.10", in: "HTTP/1.10 204 No Content\r\n\r\n", strict: 400, version: "HTTP/1.10", code: 204, kind: BodyNone},
		{name: "HTTP/1", in: "HTTP/1 200 OK\r\nContent-Length: 0\r\n\r\n", strict: 400, version: "HTTP/1", code: 200, names: []string{"Content-Length"}, kind: BodyLength},
		{name: "digits only, no reason", in: "1.1 304\r\n\r\n", strict: 400, version: "1.1", code: 304, kind: BodyNone},
		{name: "HTTX/1.1 is 1.1", in: "HTTX/1.1 200 OK\r\n\r\n", strict: 400, code: 200, kind: BodyUntilClose},
		{name: "HTTP/0.9 relayed as is", in: "HTTP/0.9 200 OK\r\n\r\n", version: "HTTP/0.9", code: 200, kind: BodyUntilClose},
		{name: "lower-case version", in: "http/1.1 200 OK\r\n\r\n", status: 400, strict: 400},
		{name: "no colon", in: "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", status: 400, strict: 400},
		{name: "status with letters", in: "HTTP/1.1 2x0 OK\r\n\r\n", status: 400, strict: 400},
		{name: "status below 100", in: "HTTP/1.1 099 Odd\r\n\r\n", status: 400, strict: 400},
		{name: "no status", in: "HTTP/1.10\r\n\r\n", status: 400, strict: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Response
			if got := statusOf(s.Parse([]byte(tc.in))); got != tc.strict {
				t.Fatalf("strict: status %d, want %d", got, tc.strict)
			}
			r := Response{AcceptInvalid: true}
			err := r.Parse([]byte(tc.in))
			if got := statusOf(err); got != tc.status {
				t.Fatalf("lax: status %d (%v), want %d", got, err, tc.status)
			}
			if tc.status != 0 {
				return
			}
			if r.Status != tc.code || r.HeadLen != len(tc.in) || r.Body(false) != tc.kind {
				t.Errorf("status %d headlen %d body %d, want %d %d %d", r.Status, r.HeadLen, r.Body(false), tc.code, len(tc.in), tc.kind)
			}
			if got := forwarded(r.Minor, r.Version); got != tc.version {
				t.Errorf("minor %d version %q: forwarded as %q, want %q", r.Minor, r.Version, got, tc.version)
			}
			var names []string
			for _, h := range r.Headers {
				names = append(names, string(h.Name))
			}
			if fmt.Sprintf("%q", names) != fmt.Sprintf("%q", tc.names) {
				t.Errorf("names %q, want %q", names, tc.names)
			}
		})
	}
}

// statusOf is 0 for a parsed head, the *Error's status otherwise (-1 for
// anything else, such as ErrIncomplete).
func statusOf(err error) int {
	var pe *Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &pe):
		return pe.Status
	}
	return -1
}

func make256(c byte) []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = c
	}
	return b
}

// forwarded is the version the proxy re-emits (proxy.appendVersion): ""
// for HTTP/1.1, the version as received otherwise.
func forwarded(minor int, v []byte) string {
	if minor == 1 {
		return ""
	}
	return string(v)
}
