package proxy

import (
	"strconv"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// A WebSocket upgrade to an HTTP/2 server, as HAProxy 2.6.12 sends it
// (measured against a server offering SETTINGS_ENABLE_CONNECT_PROTOCOL):
// an extended CONNECT (RFC 8441) with :method CONNECT, :scheme https (as
// HAProxy writes it for an origin-form request), :authority from the
// host, :path, :protocol websocket, then the fields without host,
// connection and upgrade (the client's Sec-WebSocket-Key stays). The
// server's 200 comes back to the client as a 101 with "connection:
// upgrade" and "upgrade: websocket" after its fields, and the
// Sec-WebSocket-Accept of the client's key (ws_key.go); any other status
// is an ordinary response. The stream's DATA then carry the tunnel, each
// END_STREAM a FIN. A server that did not offer extended CONNECT gets no
// upgrade: a 502, as with HAProxy. Other upgrades are not done (502).
//
// A CONNECT goes as :method CONNECT and :authority (the request's
// target) only, then the fields without host; a 2xx answer comes back
// as is, without framing, and the stream carries the tunnel.

// upTunnel: the stream carries a tunnel both ways.
const upTunnel = upDone + 1

// tunnelRequest reports (and notes) a request the server takes as a
// tunnel: a CONNECT, or a WebSocket upgrade as an extended CONNECT.
func (u *h2Upstream) tunnelRequest() bool {
	r := &u.req
	u.connect = r.IsConnect()
	u.ext = !u.connect && r.IsUpgrade() && http1.EqualFold(r.Upgrade, "websocket") && u.cc.ExtendedConnect()
	return u.ext || u.connect
}

// pseudoFields writes the request's pseudo-fields.
func (u *h2Upstream) pseudoFields(fields []h2.Field, scheme, authority, path string) []h2.Field {
	if u.connect {
		return append(fields, h2.Field{Name: ":method", Value: "CONNECT"}, h2.Field{Name: ":authority", Value: string(u.req.Target)})
	}
	method := string(u.req.Method)
	if u.ext {
		method, scheme = "CONNECT", "https"
		if t := u.req.Target; len(t) > 5 && http1.EqualFold(t[:5], "http:") {
			scheme = "http"
		}
	}
	fields = append(fields, h2.Field{Name: ":method", Value: method}, h2.Field{Name: ":scheme", Value: scheme})
	if authority != "" {
		fields = append(fields, h2.Field{Name: ":authority", Value: authority})
	}
	fields = append(fields, h2.Field{Name: ":path", Value: path})
	if u.ext {
		fields = append(fields, h2.Field{Name: ":protocol", Value: "websocket"})
	}
	return fields
}

// appendUpgraded writes the server's 200 to an extended CONNECT as the
// 101 the HTTP/1.1 client waits for (a CONNECT's 2xx as it is), and
// starts the tunnel.
func (u *h2Upstream) appendUpgraded(out []byte, h *h2.ResponseHead) []byte {
	if u.connect {
		out = append(out, "HTTP/1.1 "...)
		out = strconv.AppendInt(out, int64(h.Status), 10)
		out = append(out, ' ', '\r', '\n')
	} else {
		out = append(out, "HTTP/1.1 101 \r\n"...)
	}
	for _, f := range h.Fields {
		out = append(out, f.Name...)
		out = append(out, ':', ' ')
		out = append(out, f.Value...)
		out = append(out, '\r', '\n')
	}
	u.rs = upTunnel
	if u.connect {
		return append(out, '\r', '\n')
	}
	return append(out, "connection: upgrade\r\nupgrade: websocket\r\n\r\n"...)
}

// h2Extended reports a server connection that is an extended CONNECT
// stream: its 101 was made here, without an accept to check.
func h2Extended(c *tconn) bool {
	u, ok := c.h2.(*h2Upstream)
	return ok && u.ext
}
