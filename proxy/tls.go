package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/proxy/clienthello"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLS termination (bind ... ssl): the session's tconn carries a
// *tls.Conn over the accepted socket, reads and writes go through it, and
// what needs the bare socket (splice(2), idle parking on epoll) is off for
// such sessions, since the socket's bytes are records, not the stream.

// startTLS wraps the client connection and runs the handshake, bounded by
// the frontend's client timeout as HAProxy bounds it.
func (s *session) startTLS(cfg *tls.Config) error {
	sock := &tlsSock{TCPConn: s.c.TCPConn, out: tlsconf.HelloRandom{Server: true}}
	sock.io.initRW(sock.TCPConn)
	sock.in.KeepHello = s.fe.cfg.HelloCapture > 0 || s.fe.cfg.SessionKey // SessionKey: the ticket a resumption shows
	sock.inTap.On, sock.outTap.On = s.fe.cfg.TLSUniqueID, s.fe.cfg.TLSUniqueID
	tc := tls.Server(sock, cfg)
	s.c.tls = tc
	s.info.SSLFront = true
	s.c.io.raw = nil // no raw reads: parking on the socket is off too
	if d := s.fe.cfg.Timeouts.Client; d > 0 {
		s.c.setRead(time.Now().Add(d))
		s.c.setWrite(time.Now().Add(d))
	}
	if err := tc.Handshake(); err != nil {
		s.fe.cfg.KeyLog.Take(sock.in.Random) // what it logged before failing
		return &tlsHandshakeError{err: err}
	}
	s.c.setRead(time.Time{})
	s.c.setWrite(time.Time{})
	quickAck(s.c.TCPConn)
	st := tc.ConnectionState()
	if !st.DidResume {
		s.p.tlsc.feKeys.add(time.Now())
	}
	s.tlsState = &st
	s.info.TLS = s.tlsState
	if sock.served == nil && cfg.GetCertificate != nil {
		// A resumed session skips the certificate: the one its name
		// selects stands for it.
		cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: st.ServerName, Conn: sock})
	}
	s.info.FrontCert = sock.served
	s.info.FrontRandoms = sock.randoms(true)
	s.info.FrontHello = clienthello.ParseCapture(sock.in.Hello, s.fe.cfg.HelloCapture)
	s.info.FrontKeys = s.fe.cfg.KeyLog.Take(s.info.FrontRandoms[0])
	if s.fe.cfg.SessionKey {
		s.info.FrontSessionKey = frontSessionKey(cfg, sock.in.Hello, &st, s.info.FrontKeys)
	}
	if s.fe.cfg.TLSUniqueID {
		s.info.FrontFinished = frontFinished(&st, sock.inTap.Take(), sock.outTap.Take(), s.info.FrontKeys)
	}
	if v := s.bind.verify; v != nil {
		s.info.TLSErrors, _ = v.Check(st.PeerCertificates, time.Now())
	}
	return nil
}

// quickAck sends the ACK of the client's last handshake flight now. Go's
// TLS 1.3 server sends its session tickets before it reads the client's
// Finished, OpenSSL after, and those carry HAProxy's ACK; with nothing to
// send the kernel delays it, and a client with Nagle on holds its first
// request until then: measured on loopback, a TLS 1.3 tcp frontend
// answered such a client 40 ms later than HAProxy 2.6.12 did.
func quickAck(c *net.TCPConn) {
	if raw, err := c.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) {
			unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
		})
	}
}

// tlsSock is the socket under a TLS connection, a client's or one to a
// server: it picks the hellos' randoms out of the handshake's bytes
// (ssl_fc_*_random, ssl_bc_*_random; in is the peer's hello, out ours),
// and on a client's the bind's certificate store tells it which
// certificate it served (ssl_f_*; tlsconf.Store.Get). The records are
// read and written with raw system calls (rawio.go), as a bare socket's
// bytes are: a TLS handshake writes its flight and reads the client's
// through the same non-blocking socket, and syscall.Syscall's bookkeeping
// let sysmon take the P from a loopback write lasting over 20 µs, then
// keep waking every 20 µs.
type tlsSock struct {
	*net.TCPConn
	io      rawIO
	served  *tls.Certificate
	in, out tlsconf.HelloRandom
	// inTap, outTap keep the handshake's bytes for the Finished messages
	// of ssl_fc_unique_id (TLSCapture.TLSUniqueID) and ssl_bc_unique_id
	// (Server.TLSKeys); off otherwise.
	inTap, outTap tlsconf.RecordTap
}

func (c *tlsSock) Read(p []byte) (int, error) {
	n, err := c.io.read(c.TCPConn, p)
	if !c.in.Done() {
		c.in.Feed(p[:n])
	}
	if c.inTap.On {
		c.inTap.Feed(p[:n])
	}
	return n, err
}

func (c *tlsSock) Write(p []byte) (int, error) {
	if !c.out.Done() {
		c.out.Feed(p)
	}
	if c.outTap.On {
		c.outTap.Feed(p)
	}
	return c.io.write(c.TCPConn, p)
}

// randoms ends the look once the handshake is done and gives the
// client's and the server's randoms (front: the socket is the server's).
func (c *tlsSock) randoms(front bool) [2][]byte {
	c.in.Stop()
	c.out.Stop()
	if front {
		return [2][]byte{c.in.Random, c.out.Random}
	}
	return [2][]byte{c.out.Random, c.in.Random}
}

// ServedCertificate records the certificate the handshake presents.
func (c *tlsSock) ServedCertificate(cert *tls.Certificate) { c.served = cert }

// ServerRandoms are the client's and the server's hello randoms of the
// TLS connection to the server that sent the transaction's response
// (nil: none yet, or not over TLS).
func (r *RequestInfo) ServerRandoms() [2][]byte {
	c := r.respConn
	if c == nil {
		return [2][]byte{}
	}
	if u, ok := c.h2.(*h2Upstream); ok {
		return u.randoms
	}
	return c.randoms
}

// ServerTLS is the TLS state of the connection to the server that sent
// the transaction's response (nil: none yet, or not over TLS).
func (r *RequestInfo) ServerTLS() *tls.ConnectionState {
	c := r.respConn
	if c == nil {
		return nil
	}
	if u, ok := c.h2.(*h2Upstream); ok {
		return u.tls
	}
	if c.tls == nil {
		return nil
	}
	st := c.tls.ConnectionState()
	return &st
}

// tlsHandshakeError is a failed handshake, logged as HAProxy logs it.
type tlsHandshakeError struct{ err error }

func (e *tlsHandshakeError) Error() string {
	var op *net.OpError
	switch {
	case errors.Is(e.err, io.EOF) || errors.Is(e.err, io.ErrUnexpectedEOF):
		return "Connection closed during SSL handshake"
	case isTimeout(e.err):
		return "Timeout during SSL handshake"
	case errors.As(e.err, &op):
		return "Connection error during SSL handshake"
	}
	return "SSL handshake failure"
}

// null: `option dontlognull` leaves out a handshake the client closed or
// broke off, not one that timed out or failed (HAProxy's
// CO_ER_SSL_EMPTY and CO_ER_SSL_ABORT).
func (e *tlsHandshakeError) null() bool {
	m := e.Error()
	return m == "Connection closed during SSL handshake" || m == "Connection error during SSL handshake"
}

// readRaw reads the connection's stream: the socket, or the TLS records'
// payload.
func (c *tconn) readRaw(p []byte) (int, error) {
	switch {
	case c.h2 != nil:
		return c.h2.Read(p)
	case c.tls != nil:
		n, err := c.tls.Read(p)
		if err == io.EOF {
			c.io.eof.Store(true) // the client's end, read (nolinger.go)
		}
		return n, err
	}
	return c.io.read(c.TCPConn, p)
}

// writeTLS writes p through TLS (or an HTTP/2 stream). A timed-out TLS write cannot be resumed
// (the record may be cut), so the deadline is armed exactly once for the
// whole write instead of being kept armed early and retried.
func (c *tconn) writeTLS(p []byte, now time.Time, d time.Duration) (int, error) {
	if d <= 0 {
		if !c.wdl.IsZero() {
			c.setWrite(time.Time{})
		}
		return c.wrapped(p)
	}
	if now.IsZero() {
		now = time.Now()
	}
	c.setWrite(now.Add(d))
	return c.wrapped(p)
}

func (c *tconn) wrapped(p []byte) (int, error) {
	if c.h2 != nil {
		return c.h2.Write(p)
	}
	return c.tls.Write(p)
}

// Close closes the connection (an HTTP/2 stream: ends its response).
func (c *tconn) Close() error {
	if c.h2 != nil {
		return c.h2.Close()
	}
	c.endTLSCount()
	if c.noLinger {
		c.closeClean() // nolinger.go
	}
	err := c.TCPConn.Close()
	c.releasePort() // the source port range's port (srv_side.go)
	return err
}

// closeNotify sends TLS's close_notify alert at the clean end of a
// client connection, as HAProxy's SSL_shutdown does after a `Connection:
// close` exchange, a keep-alive or request timeout (HAProxy 2.6.12 with
// OpenSSL 3, measured): without it OpenSSL 3 clients report an
// "unexpected eof while reading", and a response delimited by the close
// reads as truncated. After a failed write crypto/tls returns that
// write's error at once and sends nothing, as HAProxy's unclean shutdown.
// Only the session's own goroutine may call it (it takes the TLS write
// lock).
func (c *tconn) closeNotify() {
	if c.tls != nil && c.h2 == nil {
		c.tls.CloseWrite()
	}
}

// plain reports a bare socket: splice(2) and raw system calls apply.
func (c *tconn) plain() bool { return c.tls == nil && c.h2 == nil }

// CloseWrite ends the client's direction: a TLS close_notify first, then
// the TCP FIN.
func (c *tconn) CloseWrite() error {
	if c.h2 != nil {
		return c.h2.CloseWrite()
	}
	if c.tls != nil {
		c.tls.CloseWrite()
	}
	return c.TCPConn.CloseWrite()
}

// tlsNames are the session's TLS version and cipher as OpenSSL names them
// (%sslv, %sslc, ssl_fc_protocol).
func (s *session) tlsNames() (version, cipher string) {
	return tlsconf.VersionName(s.tlsState.Version), tlsconf.OpenSSLName(s.tlsState.CipherSuite)
}

// sslCode is the OpenSSL 3 error HAProxy 2.6 reports in ssl_fc_err for
// the same failure (measured with OpenSSL 3.0 clients and raw bytes); 0
// when the client closed, timed out or failed in a way not told apart.
func (e *tlsHandshakeError) sslCode() uint32 {
	var rh tls.RecordHeaderError
	if errors.As(e.err, &rh) {
		// OpenSSL names the HTTP requests it recognises in a first record.
		h := string(rh.RecordHeader[:])
		switch {
		case strings.HasPrefix(h, "GET "), strings.HasPrefix(h, "POST"), strings.HasPrefix(h, "HEAD"), strings.HasPrefix(h, "PUT "):
			return 0x0A00009C // http request
		case strings.HasPrefix(h, "CONNE"):
			return 0x0A00009B // https proxy request
		}
		return 0x0A00010B // wrong version number
	}
	msg := e.err.Error()
	switch {
	case strings.Contains(msg, "unsupported versions"):
		return 0x0A000102 // unsupported protocol
	case strings.Contains(msg, "no cipher suite supported"):
		return 0x0A0000C1 // no shared cipher
	case strings.Contains(msg, "unexpected message"):
		return 0x0A0000F4 // unexpected message
	}
	return 0
}
