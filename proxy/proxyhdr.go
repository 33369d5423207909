package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/proxyproto"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// ProxyReceived is what a connection's PROXY header (accept-proxy) said
// besides the addresses: whether there was one, and its v2 authority and
// unique-id TLVs ("" when absent).
type ProxyReceived struct {
	Received            bool
	Authority, UniqueID string
}

// acceptProxyHeader takes the PROXY protocol header a connection to an
// accept-proxy bind must start with, as HAProxy 2.6 does: it waits up to
// `timeout client` for the first bytes, peeks at what has arrived (at most
// one buffer), and takes the header only if those bytes hold a whole valid
// one. A header cut short is refused like a malformed one: HAProxy cannot
// wait again after a peek either. On refusal the caller closes the
// connection without a byte; whatever the client sent is still unread, so
// the kernel resets the connection when there was any, as with HAProxy.
// The addresses carried replace the connection's (src, dst) unless the
// header says to keep them (v1 UNKNOWN, v2 LOCAL).
func (s *session) acceptProxyHeader() error {
	bp := getBuf()
	defer putBuf(bp)
	s.c.setRead(deadlineFrom(time.Now(), s.fe.cfg.Timeouts.Client))
	n, err := peek(s.c, *bp)
	if err != nil {
		return err
	}
	if n == 0 {
		return io.EOF // closed before any byte (HAProxy: CO_ER_PRX_EMPTY)
	}
	h, hl, err := proxyproto.Decode((*bp)[:n])
	if err != nil {
		if h.Src.IsValid() { // refused for its TLVs: logged with its addresses
			s.src, s.dst = unmapped(h.Src), unmapped(h.Dst)
		}
		return err
	}
	if _, err := io.ReadFull(s.c.TCPConn, (*bp)[:hl]); err != nil {
		return err
	}
	if !h.Local {
		s.src = unmapped(h.Src)
		s.dst = unmapped(h.Dst)
	}
	s.pp = ProxyReceived{Received: true, Authority: h.Authority, UniqueID: h.UniqueID}
	return nil
}

// acceptHeaders takes the headers the bind (or the expect-* connection
// rules, conn_expect.go) say connections start with: NetScaler Client
// IP, then PROXY (HAProxy 2.6's handshake order, measured with both on
// one bind: a PROXY header first is refused as a bad CIP magic).
func (s *session) acceptHeaders() error {
	if s.bind.acceptCIP || s.expect&expectCIP != 0 {
		if err := s.acceptCIPHeader(s.bind.cipMagic); err != nil {
			return err
		}
	}
	if s.bind.acceptProxy || s.expect&expectProxy != 0 {
		return s.acceptProxyHeader()
	}
	return nil
}

// Why a NetScaler Client IP header never came, in HAProxy's words.
var (
	errCIPEmpty   = errors.New("Connection closed while waiting for NetScaler Client IP header")
	errCIPAbort   = errors.New("Connection error while waiting for NetScaler Client IP header")
	errCIPTimeout = errors.New("Timeout while waiting for a NetScaler Client IP header")
)

// acceptCIPHeader takes the NetScaler Client IP header a connection to an
// accept-netscaler-cip bind must start with (before a PROXY header when the
// bind has accept-proxy too, HAProxy's order), the way acceptProxyHeader
// takes a PROXY header: one peek within `timeout client`, a header cut
// short refused. Its addresses replace the connection's.
func (s *session) acceptCIPHeader(magic uint32) error {
	bp := getBuf()
	defer putBuf(bp)
	s.c.setRead(deadlineFrom(time.Now(), s.fe.cfg.Timeouts.Client))
	n, err := peek(s.c, *bp)
	switch {
	case err != nil && isTimeout(err):
		return errCIPTimeout
	case err != nil:
		return errCIPAbort
	case n == 0:
		return errCIPEmpty
	}
	src, dst, hl, err := proxyproto.DecodeCIP((*bp)[:n], magic)
	if err != nil {
		return err
	}
	if hl > n { // HAProxy's exact-length read comes short
		return errCIPAbort
	}
	if _, err := io.ReadFull(s.c.TCPConn, (*bp)[:hl]); err != nil {
		return errCIPAbort
	}
	s.src, s.dst = unmapped(src), unmapped(dst)
	return nil
}

// peek reads what the socket holds without consuming it, waiting (within
// the read deadline) for at least one byte or the end of the stream.
func peek(c *tconn, p []byte) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		for {
			n, _, rerr = syscall.Recvfrom(int(fd), p, syscall.MSG_PEEK)
			if rerr != syscall.EINTR {
				return rerr != syscall.EAGAIN
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	return n, nil
}

func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// peerAddr is a TCP connection's remote address, an IPv4-mapped IPv6
// address unmapped (zero for another kind of connection).
func peerAddr(c net.Conn) netip.AddrPort {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return unmapped(ta.AddrPort())
	}
	return netip.AddrPort{}
}

// clientAddrs are a session's client and frontend addresses as the PROXY
// header to a server carries them, and where the session keeps its
// private server connection.
type clientAddrs struct {
	src, dst netip.AddrPort
	priv     *privateConn
	// info is the request the connection is for: a server's `sni`
	// expression reads it (tls_server.go).
	info *RequestInfo
	// redirectPath is set for a GET or HEAD request with a path: a
	// server with `redir` answers it with a redirect instead of being
	// connected to (http_redir.go).
	redirectPath string
	// owner is the session HTTP/2 server connections it makes belong
	// to (the client connection's, for an HTTP/2 stream, as is priv),
	// and first says its request is the session's first: http-reuse
	// (reuse.go). HAProxy's H2 mux marks every stream as a later one.
	owner *session
	first bool
	// ws: the request is a WebSocket upgrade (HAProxy's SF_WEBSOCKET),
	// which a `ws h1` server takes on a fresh HTTP/1.1 connection.
	ws bool
}

func (s *session) client() clientAddrs {
	owner := s
	if s.parent != nil {
		owner = s.parent
	}
	return clientAddrs{src: s.src, dst: s.dst, priv: &owner.priv, info: &s.info, owner: owner, first: !s.notFirst && s.stream == nil}
}

// private says srv's connections serve only the session that made them:
// http-reuse never. (A send-proxy server's are pooled, but only a request
// with the same PROXY header takes one: getIdle.)
func private(srv *server) bool { return srv.reuse == ReuseNever || srv.cfg.Source.private() }

// hello is the PROXY header a send-proxy server gets first on each new
// connection made for this client, or nil. With both send-proxy and
// send-proxy-v2, HAProxy sends v2.
func (c clientAddrs) hello(srv *server) []byte {
	switch srv.cfg.SendProxy {
	case 1:
		return proxyproto.AppendV1(nil, c.src, c.dst)
	case 2:
		return c.helloV2(srv)
	}
	return nil
}

// helloV2 is the v2 header with the TLVs HAProxy adds: the server's
// proxy-v2-options, and a TLS client's ALPN whatever the options.
func (c clientAddrs) helloV2(srv *server) []byte {
	o := srv.cfg.PP2
	var pc proxyproto.V2Client
	if c.info != nil && c.info.TLS != nil {
		pc.TLS = v2TLS(c.info)
	}
	if o == (proxyproto.V2Options{}) && (pc.TLS == nil || pc.TLS.ALPN == "") {
		return proxyproto.AppendV2(nil, c.src, c.dst)
	}
	if o.UniqueID && c.info != nil {
		pc.UniqueID = c.info.UniqueID()
	}
	return proxyproto.AppendV2TLV(nil, c.src, c.dst, o, pc)
}

// v2TLS is the client's TLS session as the SSL TLVs tell it, in
// OpenSSL's names.
func v2TLS(r *RequestInfo) *proxyproto.V2TLS {
	st := r.TLS
	t := &proxyproto.V2TLS{Version: tlsconf.VersionName(st.Version), Cipher: tlsconf.OpenSSLName(st.CipherSuite),
		ALPN: st.NegotiatedProtocol, SNI: st.ServerName}
	if len(st.PeerCertificates) > 0 {
		t.CertSess, t.CertConn, t.Verify = true, !st.DidResume, uint32(r.TLSErrors.Verify)
		t.CN = st.PeerCertificates[0].Subject.CommonName
	}
	if c := tlsconf.Leaf(r.FrontCert); c != nil {
		t.SigAlg, t.KeyAlg = tlsconf.SigAlgName(c), tlsconf.PKeyAlgo(c)
	}
	return t
}

// bindInfo is what a listener tells its sessions.
type bindInfo struct {
	acceptProxy bool // connections start with a PROXY header
	// cipMagic is accept-netscaler-cip's magic (acceptCIP: connections
	// then start with a NetScaler Client IP header).
	cipMagic  uint32
	acceptCIP bool
	name      string      // as HAProxy's logs name the listener
	id        int         // HAProxy's listener id (so_id)
	tls       *tls.Config // TLS is terminated with it (nil: clear text)
	h2        bool        // HTTP/2 from the first byte (proto h2)
	// verify reports the client certificate errors ignore-err options
	// let through (nil: none are).
	verify *tlsconf.ClientVerify
	// slots is the bind line's maxconn (nil: none): beyond it connections
	// wait in the listener's backlog, as HAProxy pauses a full listener.
	slots *limiter
	// listener is what the fetches read of it (so_name, dst_conn).
	listener *Listener
}

// ConnError is a connection HAProxy refuses before its session begins,
// with the line it logs: "<client> [<accept date>] <frontend>/<bind>:
// <Msg>".
type ConnError struct {
	Client   netip.AddrPort
	Accept   time.Time
	Frontend string
	Bind     string
	Msg      string
	// Null: the client sent nothing usable (closed, timed out, reset):
	// `option dontlognull` drops the line.
	Null bool
	// Entry is the line's entry for the frontend's error-log-format (nil
	// without one).
	Entry *LogEntry
}

// connError reports why the PROXY header was refused, in HAProxy's words.
func (s *session) connError(err error) {
	if s.p.opt.ConnError == nil {
		return
	}
	e := &ConnError{Client: s.src, Accept: s.accepted, Frontend: s.fe.cfg.Name, Bind: s.bind.name, Msg: err.Error()}
	var he *tlsHandshakeError
	switch {
	case errors.As(err, &he):
		e.Null = he.null()
	case err == errCIPEmpty || err == errCIPAbort || err == errCIPTimeout:
		e.Null = true
	case err == io.EOF:
		e.Msg, e.Null = "Connection closed while waiting for PROXY protocol header", true
	case isTimeout(err):
		e.Msg, e.Null = "Timeout while waiting for PROXY protocol header", true
	case !isDecodeError(err):
		e.Msg, e.Null = "Connection error while waiting for PROXY protocol header", true
	}
	if s.fe.cfg.ErrorLog {
		e.Entry = s.embryonicEntry(connErrCode(e.Msg), he)
		e.Entry.NullConn = e.Null
	}
	s.p.opt.ConnError(e)
}

func isDecodeError(err error) bool {
	return err == proxyproto.ErrNeedMore || err == proxyproto.ErrNotHeader ||
		err == proxyproto.ErrBadHeader || err == proxyproto.ErrBadProto ||
		err == proxyproto.ErrCIPTruncated || err == proxyproto.ErrCIPBadMagic || err == proxyproto.ErrCIPBadProto
}
