package haproxycfg

import (
	"testing"
)

// TestNormalizeErrorFile: errorfiles as HAProxy 2.6 holds them once
// loaded, the Connection field kept as its HTX message keeps it (each
// form measured by TestErrorPagesDifferential).
func TestNormalizeErrorFile(t *testing.T) {
	tests := []struct {
		file, want string
		closes     bool
		bad        bool
	}{
		{file: "HTTP/1.1 503 Down\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Mixed: V\r\n\r\ndown\n",
			want: "HTTP/1.1 503 Down\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nx-mixed: V\r\n\r\ndown\n"},
		{file: "HTTP/1.1 404 Nope\r\nContent-Length:   4 \r\n\r\nnop\n", want: "HTTP/1.1 404 Nope\r\ncontent-length: 4\r\n\r\nnop\n"},
		// Debian's own errorfiles: HTTP/1.0, Connection: close, no length.
		{file: "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html/>\n",
			want: "HTTP/1.0 503 Service Unavailable\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html/>\n", closes: true},
		{file: "HTTP/1.1 403 A\r\nConnection: close\r\nContent-Length: 2\r\n\r\na\n", want: "HTTP/1.1 403 A\r\nconnection: close\r\ncontent-length: 2\r\n\r\na\n", closes: true},
		{file: "HTTP/1.1 403 B\r\nContent-Type: text/plain\r\n\r\nbbb\n", want: "HTTP/1.1 403 B\r\ncontent-type: text/plain\r\n\r\nbbb\n", closes: true},
		{file: "HTTP/1.0 403 C\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nc\n", want: "HTTP/1.0 403 C\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nc\n"},
		{file: "HTTP/1.1 403 D\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", bad: true},
		{file: "HTTP/1.1 403 E\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n", bad: true},
		{file: "HTTP/2 403 F\r\n\r\n", bad: true},
		{file: "HTTP/1.1 403 G\r\n", bad: true},
	}
	for _, tc := range tests {
		got, closes, err := normalizeErrorFile([]byte(tc.file))
		if tc.bad {
			if err == nil {
				t.Errorf("%q accepted: %q", tc.file, got)
			}
			continue
		}
		if err != nil || string(got) != tc.want || closes != tc.closes {
			t.Errorf("%q:\n got %q closes %v (%v)\nwant %q closes %v", tc.file, got, closes, err, tc.want, tc.closes)
		}
	}
}

func TestErrorlocPage(t *testing.T) {
	if got := string(errorlocPage(false, "http://x/")); got != "HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: http://x/\r\n\r\n" {
		t.Errorf("errorloc302: %q", got)
	}
	if got := string(errorlocPage(true, "/s")); got != "HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: /s\r\n\r\n" {
		t.Errorf("errorloc303: %q", got)
	}
}
