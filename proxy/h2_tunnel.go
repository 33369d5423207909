package proxy

import "github.com/goha-lb/goha/proxy/h2"

// CONNECT over HTTP/2 from a client, as HAProxy 2.6 translates it for an
// HTTP/1.1 server (measured on 2.6.12 with raw frames and Go's client):
//
//   - A plain CONNECT (RFC 9113 §8.5: :authority only) goes on as
//     "CONNECT <authority> HTTP/1.1" with host: <authority>, its port
//     kept. A 2xx answer is sent as HEADERS without END_STREAM and the
//     stream's DATA carry the tunnel both ways.
//   - An extended CONNECT (RFC 8441: :protocol, :scheme, :path,
//     :authority) goes on as "GET <path> HTTP/1.1" with "upgrade:
//     <protocol>" and "connection: upgrade" after the regular fields
//     (before the cookie field, which comes last); a WebSocket upgrade
//     without its own key gets one when it leaves for its server
//     (ws_key.go). A 101 answer is sent as a 200 (upgrade and connection
//     dropped as on any response, sec-websocket-accept kept), then the
//     tunnel. The log shows GET and the absolute target.
//   - Any other answer is an ordinary response; the tunnel ends with
//     END_STREAM each way (the client's is the server's FIN).
//
// HAProxy advertises SETTINGS_ENABLE_CONNECT_PROTOCOL unless the global
// h2-workaround-bogus-websocket-clients is set.

// appendTunnelLine writes a CONNECT stream's request line: the
// authority for a plain one, GET and the path for an extended one.
func appendTunnelLine(out []byte, r *h2.Request) []byte {
	if r.Protocol == "" {
		out = append(out, "CONNECT "...)
		out = append(out, r.Authority...)
	} else {
		out = append(out, "GET "...)
		out = append(out, r.Path...)
	}
	return append(out, " HTTP/1.1\r\n"...)
}

// appendUpgradeFields writes an extended CONNECT's upgrade fields.
func appendUpgradeFields(out []byte, r *h2.Request) []byte {
	out = append(out, "upgrade: "...)
	out = append(out, r.Protocol...)
	return append(out, "\r\nconnection: upgrade\r\n"...)
}

// tunnelStatus is the status a CONNECT stream's answer is sent with and
// whether the tunnel starts with it: a plain CONNECT's 2xx as is, an
// extended one's 101 as a 200.
func tunnelStatus(r *h2.Request, status int) (int, bool) {
	switch {
	case !r.Tunnel():
	case r.Protocol == "" && status >= 200 && status < 300:
		return status, true
	case r.Protocol != "" && status == 101:
		return 200, true
	}
	return status, false
}

// tunnelTarget is what the log shows of a plain CONNECT stream: its
// authority (HAProxy builds no absolute form without a scheme).
func tunnelTarget(r *h2.Request) ([]byte, bool) {
	if r.Method == "CONNECT" && r.Protocol == "" {
		return []byte(r.Authority), true
	}
	return nil, false
}

// sendTunnelHead starts a CONNECT stream's tunnel when its answer
// (b.resp, its fields) does so; false for an ordinary answer.
func (b *streamBridge) sendTunnelHead(fields []h2.Field) (bool, error) {
	status, ok := tunnelStatus(&b.st.Req, b.resp.Status)
	if !ok {
		return false, nil
	}
	b.state = bsUntilClose
	return true, b.st.WriteHeaders(status, fields, false)
}

// streamMethod is the method a stream's request goes on with: GET for an
// extended CONNECT.
func streamMethod(r *h2.Request) string {
	if r.Protocol != "" {
		return "GET"
	}
	return r.Method
}
