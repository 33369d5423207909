package proxy

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
	"golang.org/x/net/http2/hpack"
)

// RFC 6455's example key and accept value.
func TestWSAccept(t *testing.T) {
	if got := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept %q", got)
	}
}

// tunnelFieldName makes a field name of s an HPACK client could send:
// lower-case token bytes, none of the connection-specific ones.
func tunnelFieldName(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		}
	}
	n := b.String()
	switch n {
	case "", "host", "content-length", "transfer-encoding", "connection", "upgrade", "keep-alive", "proxy-connection", "te":
		return "x-" + n
	}
	return n
}

// tunnelFieldValue keeps the visible ASCII of s, trimmed.
func tunnelFieldValue(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 0x21 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzH2TunnelHead: a CONNECT stream's HTTP/1.1 head, as the bridge
// writes it, parses as HAProxy's translation says: a plain CONNECT keeps
// its authority as target and host (port included) and frames no body;
// an extended one is a GET of its path with "upgrade: <protocol>" and
// "connection: upgrade", host from :authority, the client's fields in
// order, and no body framing either.
func FuzzH2TunnelHead(f *testing.F) {
	f.Add(false, "websocket", "ws.example", "/chat?x=1", "sec-websocket-version", "13", "cookie", "a=1")
	f.Add(true, "", "c.example:443", "", "x-a", "1", "", "")
	f.Add(false, "websocket", "ws.example:8080", "/", "", "", "", "")
	f.Fuzz(func(t *testing.T, plain bool, protocol, authority, path, n1, v1, n2, v2 string) {
		authority, protocol = tunnelFieldValue(authority), tunnelFieldValue(protocol)
		path = "/" + tunnelFieldValue(path)
		if authority == "" || strings.ContainsAny(authority, "/?#@") || (!plain && protocol == "") {
			return
		}
		r := h2.Request{Method: "CONNECT", Authority: authority, ContentLength: -1}
		if !plain {
			r.Protocol, r.Scheme, r.Path = protocol, "https", path
		}
		var want []string
		for _, nv := range [][2]string{{n1, v1}, {n2, v2}} {
			if nv[0] == "" {
				continue
			}
			name := tunnelFieldName(nv[0])
			if name == "cookie" || name == "x-" {
				continue // cookies move last; tested by the differential test
			}
			r.Fields = append(r.Fields, hpack.HeaderField{Name: name, Value: tunnelFieldValue(nv[1])})
			want = append(want, name)
		}
		head := appendH1Head(nil, &r)
		var req http1.Request
		req.FromH2 = true
		if err := req.Parse(head); err != nil {
			if strings.Contains(err.Error(), "authority") || strings.Contains(err.Error(), "target") {
				return // an authority HTTP/1 refuses in a CONNECT target
			}
			t.Fatalf("%q: %v", head, err)
		}
		if req.HasBody() || req.HeadLen != len(head) {
			t.Errorf("%q: a body is framed", head)
		}
		if got := string(req.Header("host")); got != authority {
			t.Errorf("%q: host %q, want %q", head, got, authority)
		}
		if plain {
			if !req.IsConnect() || string(req.Target) != authority {
				t.Errorf("%q: not CONNECT %s", head, authority)
			}
		} else {
			if string(req.Method) != "GET" || string(req.Target) != path || !req.IsUpgrade() || string(req.Upgrade) != protocol {
				t.Errorf("%q: not a GET %s upgrading to %s", head, path, protocol)
			}
		}
		var got []string
		for _, h := range req.Headers {
			if n := string(h.Name); n != "host" && n != "upgrade" && n != "connection" {
				got = append(got, n)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: fields %q, want %q", head, got, want)
		}
	})
}
