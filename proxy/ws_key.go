package proxy

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"

	"github.com/goha-lb/goha/proxy/http1"
)

// The WebSocket handshake checks of HAProxy 2.6's H1 multiplexer toward
// a server (measured on 2.6.12):
//
//   - A WebSocket upgrade leaving without a Sec-WebSocket-Key (one that
//     came from an HTTP/2 client as an extended CONNECT, or whose key the
//     rules removed) gets one: 16 random bytes in base64, as the last
//     field, named "Sec-Websocket-Key".
//   - A 101 answering with "Upgrade: websocket" must carry
//     Sec-WebSocket-Accept, and when the key was made here, the accept
//     value RFC 6455 derives from it: otherwise the answer is refused
//     (502, PH), the client's connection kept as after other refused
//     heads. A key the client sent itself is not checked against.

// wsGUID is RFC 6455's key suffix.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// appendWSKey adds a key to a WebSocket upgrade leaving without one, and
// remembers it for the answer's check.
func (x *exchange) appendWSKey(out []byte) []byte {
	s := x.s
	if !s.req.IsUpgrade() || !http1.EqualFold(s.req.Upgrade, "websocket") || s.info.Header("sec-websocket-key") != nil {
		return out
	}
	var raw [16]byte
	rand.Read(raw[:])
	x.wsKey = base64.StdEncoding.EncodeToString(raw[:])
	out = append(out, "Sec-Websocket-Key: "...)
	out = append(out, x.wsKey...)
	return append(out, '\r', '\n')
}

// wsAccept is the Sec-WebSocket-Accept value of key.
func wsAccept(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// wsAcceptOK checks a 101's WebSocket handshake (see above).
func (x *exchange) wsAcceptOK() bool {
	resp := &x.s.resp
	if resp.Status != 101 || !http1.EqualFold(resp.Upgrade, "websocket") || h2Extended(x.sc) {
		return true // (an HTTP/2 server's 200, made a 101 here: h2_upstream_ws.go)
	}
	acc := resp.Header("sec-websocket-accept")
	if acc == nil {
		return false
	}
	return x.wsKey == "" || string(acc) == wsAccept(x.wsKey)
}

// appendWSAccept adds the Sec-WebSocket-Accept of the client's key to a
// WebSocket 101 that has none (an HTTP/2 server's, h2_upstream_ws.go),
// as HAProxy's H1 multiplexer does toward the client.
func (x *exchange) appendWSAccept(out []byte) []byte {
	s, resp := x.s, &x.s.resp
	if resp.Status != 101 || !http1.EqualFold(resp.Upgrade, "websocket") || resp.Header("sec-websocket-accept") != nil {
		return out
	}
	key := s.info.Header("sec-websocket-key")
	if key == nil {
		return out
	}
	out = append(out, "Sec-Websocket-Accept: "...)
	out = append(out, wsAccept(string(key))...)
	return append(out, '\r', '\n')
}
