package h2

import (
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"
)

// CONNECT requests as HAProxy 2.6 takes them (measured with raw
// frames): a plain one has :authority and neither :scheme nor :path; an
// extended one (RFC 8441) has :protocol, :scheme, :path and :authority;
// :protocol on another method is ignored.
func TestParseConnect(t *testing.T) {
	for _, tc := range []struct {
		fields   string
		ok       bool
		protocol string
	}{
		{":method=CONNECT :authority=a:443", true, ""},
		{":method=CONNECT :authority=a:443 x-a=1", true, ""},
		{":method=CONNECT", false, ""},
		{":method=CONNECT :authority=a:443 :path=/", false, ""},
		{":method=CONNECT :authority=a:443 :scheme=https", false, ""},
		{":method=CONNECT :protocol=websocket :scheme=https :authority=a :path=/chat", true, "websocket"},
		{":method=CONNECT :protocol=websocket :scheme=https :path=/chat host=a", false, ""},
		{":method=CONNECT :protocol=websocket :scheme=https :authority=a", false, ""},
		{":method=CONNECT :protocol=websocket :authority=a :path=/chat", false, ""},
		{":method=GET :protocol=websocket :scheme=https :authority=a :path=/chat", true, ""},
	} {
		var fs []hpack.HeaderField
		for _, f := range strings.Fields(tc.fields) {
			k, v, _ := strings.Cut(f[1:], "=")
			fs = append(fs, hpack.HeaderField{Name: f[:1] + k, Value: v})
		}
		r, err := parseRequest(fs, false)
		if (err == nil) != tc.ok || (err == nil && r.Protocol != tc.protocol) {
			t.Errorf("%s: err %v protocol %q", tc.fields, err, r.Protocol)
		}
		if err == nil && r.Tunnel() != (r.Method == "CONNECT") {
			t.Errorf("%s: tunnel %v", tc.fields, r.Tunnel())
		}
	}
}
