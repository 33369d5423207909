package check

import (
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// HTTP checks of an HTTP/2 server: HAProxy's checks speak the server's
// protocol (check-proto, else the server's proto; check-alpn, else its
// alpn), so the request goes as one stream on a connection of its own.

// speaksH2 reports whether the check connection speaks HTTP/2.
func (p HTTPProbe) speaksH2(c net.Conn) bool {
	switch p.Connect.Proto { // a connect rule's own proto wins
	case "h2":
		return true
	case "h1":
		return false
	}
	h2 := p.H2 && !p.Connect.Clear // check-proto is a default connect's
	if tc, ok := c.(*tls.Conn); ok {
		return h2 || tc.ConnectionState().NegotiatedProtocol == "h2"
	}
	return h2
}

// h2Conn is a check connection under HTTP/2 frames (its deadline is
// already set for the whole check).
type h2Conn struct{ net.Conn }

func (h2Conn) SetReadDeadline(time.Time) error { return nil }

func (p HTTPProbe) exchangeH2(c net.Conn) Result {
	cc, err := h2.NewClientConn(h2Conn{c}, c, p.H2Settings)
	if err != nil {
		return ioResult(err)
	}
	defer cc.Close()
	if err := cc.WaitReady(time.Time{}); err != nil {
		return h2Result(err)
	}
	r := p.Request
	// As HAProxy's H2 mux sends any request (mux_h2.c): an absolute URI
	// gives :scheme and :authority and the host field is not sent; an
	// origin-form one goes as :scheme https without :authority, the host
	// field kept (measured on 2.6.12, clear and TLS alike).
	scheme, authority, path := h2.SplitAbsolute(r.URI, r.Method)
	if authority != "" {
		// A check's host field names the authority of an absolute URI
		// (measured: HAProxy sends its value as :authority).
		for _, hd := range r.Headers {
			if strings.EqualFold(hd.Name, "host") {
				authority = hd.Value
			}
		}
	}
	fields := []h2.Field{{Name: ":method", Value: r.Method}, {Name: ":scheme", Value: scheme}}
	if authority != "" {
		fields = append(fields, h2.Field{Name: ":authority", Value: authority})
	}
	fields = append(fields, h2.Field{Name: ":path", Value: path})
	for _, hd := range r.Headers {
		name := strings.ToLower(hd.Name)
		switch {
		case name == "host" && authority != "":
		case name == "connection", name == "keep-alive", name == "proxy-connection", name == "transfer-encoding", name == "upgrade":
		default:
			fields = append(fields, h2.Field{Name: name, Value: hd.Value})
		}
	}
	if r.Body != "" {
		fields = append(fields, h2.Field{Name: "content-length", Value: strconv.Itoa(len(r.Body))})
	}
	st, err := cc.Open(fields, r.Body == "")
	if err != nil {
		return h2Result(err)
	}
	defer st.Close()
	if r.Body != "" {
		if err := st.WriteData([]byte(r.Body), true); err != nil {
			return h2Result(err)
		}
	}
	var head h2.ResponseHead
	for head.Status < 200 {
		if head, err = st.ReadHead(); err != nil {
			return h2Result(err)
		}
	}
	// HTTP/2 carries no reason phrase: the check's info is empty; a
	// content mismatch keeps no status code (as HAProxy's show stat).
	res := p.judge(head.Status, "", h2Body{st})
	if res.Status == L7RSP {
		res.Code = 0
	}
	return res
}

// h2Body reads a stream's body as an io.Reader the expect rules read.
type h2Body struct{ st *h2.ClientStream }

func (b h2Body) Read(p []byte) (int, error) { return b.st.Read(p) }

// h2Result is a failed HTTP/2 exchange: a timeout, or no valid response.
func h2Result(err error) Result {
	if isTimeout(err) {
		return Result{Status: L7TOUT}
	}
	return Result{Status: L7RSP}
}
