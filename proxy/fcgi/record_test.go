package fcgi

import (
	"bytes"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestRecordsRoundTrip(t *testing.T) {
	big := strings.Repeat("x", MaxContent+10)
	var b []byte
	b = AppendBeginRequest(b, 1, true)
	b = AppendRecords(b, TypeParams, 1, AppendParam(nil, "SCRIPT_NAME", "/a.php"))
	b = AppendHeader(b, TypeParams, 1, 0)
	b = AppendRecords(b, TypeStdin, 1, []byte(big))
	b = AppendHeader(b, TypeStdin, 1, 0)
	b = AppendEndRequest(b, 1, EndRequest{AppStatus: 7, ProtocolStatus: 3})
	want := []struct {
		typ uint8
		n   int
	}{{TypeBeginRequest, 8}, {TypeParams, 19}, {TypeParams, 0}, {TypeStdin, MaxContent}, {TypeStdin, 10}, {TypeStdin, 0}, {TypeEndRequest, 8}}
	r := NewReader(bytes.NewReader(b))
	for i, w := range want {
		h, c, err := r.Next()
		if err != nil || h.Type != w.typ || len(c) != w.n || h.ID != 1 {
			t.Fatalf("record %d: %+v len %d err %v, want type %d len %d", i, h, len(c), err, w.typ, w.n)
		}
		switch h.Type {
		case TypeBeginRequest:
			if !bytes.Equal(c, []byte{0, 1, 1, 0, 0, 0, 0, 0}) {
				t.Fatalf("begin request body %x", c)
			}
		case TypeEndRequest:
			e, err := DecodeEndRequest(c)
			if err != nil || e.AppStatus != 7 || e.ProtocolStatus != 3 {
				t.Fatalf("end request %+v %v", e, err)
			}
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last record: %v", err)
	}
}

func TestReaderSkipsPaddingAndRefusesVersions(t *testing.T) {
	// A STDOUT record of 3 bytes padded with 5, then one of version 2.
	b := []byte{1, TypeStdout, 0, 1, 0, 3, 5, 0, 'a', 'b', 'c', 0, 0, 0, 0, 0, 2, TypeStdout, 0, 1, 0, 0, 0, 0}
	r := NewReader(bytes.NewReader(b))
	if h, c, err := r.Next(); err != nil || string(c) != "abc" || h.Padding != 5 {
		t.Fatalf("padded record: %+v %q %v", h, c, err)
	}
	if _, _, err := r.Next(); err != ErrVersion {
		t.Fatalf("version 2: %v", err)
	}
	// Cut inside a record: unexpected EOF, not EOF.
	r = NewReader(bytes.NewReader(b[:10]))
	if _, _, err := r.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut record: %v", err)
	}
}

func TestParamsCodec(t *testing.T) {
	long := strings.Repeat("v", 200)
	in := []Param{{"A", ""}, {"HTTP_HOST", "h"}, {strings.Repeat("N", 128), long}}
	var b []byte
	for _, p := range in {
		b = AppendParam(b, p.Name, p.Value)
	}
	// 128 and 200 take the four-byte form with the top bit set.
	if i := bytes.Index(b, []byte{0x80, 0, 0, 128, 0x80, 0, 0, 200}); i < 0 {
		t.Fatalf("long lengths not in four-byte form: %x", b[:20])
	}
	got, err := DecodeParams(b)
	if err != nil || !reflect.DeepEqual(got, in) {
		t.Fatalf("decode: %v %v", got, err)
	}
	for _, bad := range [][]byte{{5}, {1, 5, 'a'}, {0x80, 0}, {3, 0, 'a'}} {
		if _, err := DecodeParams(bad); err != ErrParams {
			t.Fatalf("%x: %v", bad, err)
		}
	}
	if ParamName("http_x-foo.bar") != "HTTP_X_FOO_BAR" || SetName("Foo-Bar") != "foo_bar" {
		t.Fatal("name normalisation")
	}
}

func TestParamsAsHAProxy(t *testing.T) {
	php := regexp.MustCompile(`^(/.+\.php)(/.*)?$`)
	base := Request{Method: "GET", Version: "HTTP/1.1", DstAddr: "127.0.0.1", DstPort: 80, SrcAddr: "127.0.0.2", SrcPort: 4000}
	cases := []struct {
		name string
		app  App
		mod  func(r *Request)
		want string // NAME=value;...
		err  error
	}{
		{"path info and query", App{DocRoot: "/var/www", PathInfo: php}, func(r *Request) {
			r.URI = "/x/a.php/p/q?z=1"
			r.Method = "POST"
			r.Headers = []Param{{"host", "h:1"}, {"content-length", "3"}, {"content-type", "t"}, {"x-foo", "f"}}
			r.Sets = SetParams([]Param{{"REMOTE_USER", ""}, {"FOO", "bar"}})
		}, "HTTP_HOST=h:1;CONTENT_LENGTH=3;CONTENT_TYPE=t;HTTP_X_FOO=f;FOO=bar;GATEWAY_INTERFACE=CGI/1.1;DOCUMENT_ROOT=/var/www;" +
			"SCRIPT_NAME=/x/a.php;PATH_INFO=/p/q;REQUEST_URI=/x/a.php/p/q?z=1;REQUEST_METHOD=POST;QUERY_STRING=z=1;SERVER_NAME=h:1;" +
			"SERVER_PORT=80;SERVER_PROTOCOL=HTTP/1.1;REMOTE_ADDR=127.0.0.2;REMOTE_PORT=4000;SCRIPT_FILENAME=/var/www/x/a.php;PATH_TRANSLATED=/var/www/p/q", nil},
		{"index, no host, decoded path", App{DocRoot: "/d", Index: "index.php"}, func(r *Request) { r.URI = "/a%20b/" },
			"GATEWAY_INTERFACE=CGI/1.1;DOCUMENT_ROOT=/d;SCRIPT_NAME=/a b/index.php;REQUEST_URI=/a%20b/;REQUEST_METHOD=GET;SERVER_NAME=127.0.0.1;" +
				"SERVER_PORT=80;SERVER_PROTOCOL=HTTP/1.1;REMOTE_ADDR=127.0.0.2;REMOTE_PORT=4000;SCRIPT_FILENAME=/d/a b/index.php;CONTENT_LENGTH=0", nil},
		{"set script_name and docroot, request_method kept, no SERVER_SOFTWARE (measured: TestFCGIRulesMatchesHAProxy)", App{DocRoot: "/d", Software: "HAProxy x"}, func(r *Request) {
			r.URI = "http://h/z?q"
			r.HTTPS = true
			r.BodyLen = 5
			r.Sets = SetParams([]Param{{"SCRIPT_NAME", "/s"}, {"document-root", "/e"}, {"REQUEST_METHOD", "X"}})
		}, "DOCUMENT_ROOT=/e;REQUEST_METHOD=X;SCRIPT_NAME=/s;GATEWAY_INTERFACE=CGI/1.1;REQUEST_URI=http://h/z?q;REQUEST_METHOD=GET;QUERY_STRING=q;" +
			"SERVER_NAME=127.0.0.1;SERVER_PORT=80;SERVER_PROTOCOL=HTTP/1.1;REMOTE_ADDR=127.0.0.2;REMOTE_PORT=4000;SCRIPT_FILENAME=/e/s;CONTENT_LENGTH=5;HTTPS=on", nil},
		{"bad escape", App{DocRoot: "/d"}, func(r *Request) { r.URI = "/a%2" }, "", ErrPath},
		{"no path", App{DocRoot: "/d"}, func(r *Request) { r.URI = "*" }, "", ErrPath},
		{"newline under path-info", App{DocRoot: "/d", PathInfo: php}, func(r *Request) { r.URI = "/a%0a.php" }, "", ErrPath},
	}
	for _, c := range cases {
		r := base
		c.mod(&r)
		ps, err := Params(&c.app, &r)
		if err != c.err {
			t.Fatalf("%s: err %v, want %v", c.name, err, c.err)
		}
		var parts []string
		for _, p := range ps {
			parts = append(parts, p.Name+"="+p.Value)
		}
		if got := strings.Join(parts, ";"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestHidden(t *testing.T) {
	if !Hidden("Authorization", nil) || Hidden("X-Foo", nil) {
		t.Fatal("default hidden set")
	}
	if Hidden("Authorization", func(l string) bool { return l == "authorization" }) {
		t.Fatal("pass-header authorization")
	}
}

func TestParseHead(t *testing.T) {
	cases := []struct {
		in     string
		status int
		reason string
		fields int
		err    error
	}{
		{"Content-Type: t\r\n\r\nbody", 200, "OK", 1, nil},
		{"Status: 404 Not Here\r\nX: 1\r\n\r\n", 404, "Not Here", 1, nil},
		{"Status: 201\nX: 1\n\n", 201, "", 1, nil},
		{"Location: /x\r\n\r\n", 302, "Moved Temporarily", 1, nil},
		{"Location: /x\r\nStatus: 301 Moved\r\n\r\n", 301, "Moved", 1, nil},
		{"Status: abc\r\n\r\n", 200, "OK", 0, nil},
		{"Content-Type: t\r\n", 0, "", 0, ErrIncomplete},
		{"no colon\r\n\r\n", 0, "", 0, ErrHead},
		{"Bad Name: v\r\n\r\n", 0, "", 0, ErrHead},
	}
	for _, c := range cases {
		h, n, err := ParseHead([]byte(c.in))
		if err != c.err {
			t.Fatalf("%q: err %v", c.in, err)
		}
		if err != nil {
			continue
		}
		if h.Status != c.status || h.Reason != c.reason || len(h.Fields) != c.fields || !strings.HasSuffix(c.in[:n], "\n\n") && !strings.HasSuffix(c.in[:n], "\r\n\r\n") {
			t.Errorf("%q: %+v n=%d", c.in, h, n)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(AppendParam(AppendParam(nil, "A", "b"), strings.Repeat("N", 130), "v"))
	f.Add([]byte("Status: 200 OK\r\nX: y\r\n\r\nbody"))
	f.Add(AppendEndRequest(nil, 1, EndRequest{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := DecodeParams(b)
		if err == nil {
			var re []byte
			for _, p := range ps {
				re = AppendParam(re, p.Name, p.Value)
			}
			again, err := DecodeParams(re)
			if err != nil || !reflect.DeepEqual(again, ps) {
				t.Fatalf("re-encoded params differ: %v %v", again, err)
			}
		}
		if h, n, err := ParseHead(b); err == nil && (n > len(b) || h.Status == 0) {
			t.Fatalf("head %+v n=%d", h, n)
		}
		r := NewReader(bytes.NewReader(b))
		for i := 0; i < len(b); i++ {
			h, c, err := r.Next()
			if err != nil {
				break
			}
			if len(c) != int(h.Len) {
				t.Fatalf("content %d, header says %d", len(c), h.Len)
			}
		}
	})
}
