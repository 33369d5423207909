package http1

import "testing"

// A CONNECT request's head ends its framing (HAProxy's tunnel mode):
// Content-Length leaves it, Transfer-Encoding stays and is noted, and
// neither frames a body.
func TestConnectFraming(t *testing.T) {
	for _, tc := range []struct {
		head    string
		headers int
		te      bool
	}{
		{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 1, false},
		{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\n", 1, false},
		{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n", 2, true},
		{"CONNECT a:443 HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 0, false},
	} {
		var r Request
		if err := r.Parse([]byte(tc.head)); err != nil {
			t.Fatalf("%q: %v", tc.head, err)
		}
		if !r.IsConnect() || r.HasBody() || r.ContentLength != -1 || r.ConnectTE != tc.te || len(r.Headers) != tc.headers {
			t.Errorf("%q: connect %v body %v cl %d te %v headers %q", tc.head, r.IsConnect(), r.HasBody(), r.ContentLength, r.ConnectTE, r.Headers)
		}
	}
	// The method is case-sensitive, as HAProxy's: "connect" is another
	// method, whose body Content-Length frames.
	var r Request
	if err := r.Parse([]byte("connect /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n")); err != nil || r.IsConnect() || r.ContentLength != 3 {
		t.Errorf("lower-case connect: %v %v %d", err, r.IsConnect(), r.ContentLength)
	}
}

// A CONNECT's Host loses a default port from an HTTP/1 client, not
// from an HTTP/2 one (HAProxy passes the :authority on), and an HTTP/2
// WebSocket upgrade may come without a key.
func TestFromH2(t *testing.T) {
	for _, fromH2 := range []bool{false, true} {
		r := Request{FromH2: fromH2}
		if err := r.Parse([]byte("CONNECT a:443 HTTP/1.1\r\nhost: a:443\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		want := "a"
		if fromH2 {
			want = "a:443"
		}
		if got := string(r.Header("host")); got != want {
			t.Errorf("fromH2 %v: host %q, want %q", fromH2, got, want)
		}
		err := r.Parse([]byte("GET /ws HTTP/1.1\r\nhost: a\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"))
		if (err == nil) != fromH2 {
			t.Errorf("fromH2 %v: upgrade without a key: %v", fromH2, err)
		}
	}
}
