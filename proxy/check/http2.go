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
	if tc, ok := c.(*tls.Conn); ok {
		return p.H2 || tc.ConnectionState().NegotiatedProtocol == "h2"
	}
	return p.H2
}

// h2Conn is a check connection under HTTP/2 frames (its deadline is
// already set for the whole check).
type h2Conn struct{ net.Conn }

func (h2Conn) SetReadDeadline(time.Time) error { return nil }

func (p HTTPProbe) exchangeH2(c net.Conn) Result {
	cc, err := h2.NewClientConn(h2Conn{c}, c, h2.Settings{})
	if err != nil {
		return ioResult(err)
	}
	defer cc.Close()
	if err := cc.WaitReady(time.Time{}); err != nil {
		return h2Result(err)
	}
	r := p.Request
	scheme := "http"
	if _, ok := c.(*tls.Conn); ok {
		scheme = "https"
	}
	fields := []h2.Field{{Name: ":method", Value: r.Method}, {Name: ":scheme", Value: scheme}}
	var rest []h2.Field
	for _, hd := range r.Headers {
		name := strings.ToLower(hd.Name)
		switch name {
		case "host":
			fields = append(fields, h2.Field{Name: ":authority", Value: hd.Value})
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		default:
			rest = append(rest, h2.Field{Name: name, Value: hd.Value})
		}
	}
	fields = append(fields, h2.Field{Name: ":path", Value: r.URI})
	fields = append(fields, rest...)
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
