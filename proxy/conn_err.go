package proxy

import (
	"fmt"
	"time"
)

// ConnErrCode is HAProxy 2.6's connection error identifier (its CO_ER_*
// values, what fc_err returns); its String is the message fc_err_str
// returns and the default connection error line prints.
type ConnErrCode int

// ConnFailure is what the connection error fetches read of a request's
// client connection: ConnErr its error code (fc_err; 0 on a connection
// that carried a stream) and SSLErr the OpenSSL error of its handshake
// (ssl_fc_err), set only for the lines of connections that failed before
// their session began (error-log-format); SSLFront: it came in on an ssl
// bind (its handshake may have failed, leaving TLS nil).
type ConnFailure struct {
	ConnErr  ConnErrCode
	SSLErr   uint32
	SSLFront bool
}

// ErrorLogConfig is a frontend's error-log-format: ErrorLog says it has
// one, ErrorLogSamples evaluate its %[...] samples (LogEntry.ErrSamples,
// ConnError.Entry).
type ErrorLogConfig struct {
	ErrorLog        bool
	ErrorLogSamples []func(*RequestInfo) (string, bool)
}

// connErrMessages are the messages of HAProxy 2.6's identifiers, indexed
// by identifier (configuration.txt, fc_err_str).
var connErrMessages = [...]string{
	"Success",
	"Reached configured maxconn value",
	"Too many sockets on the process",
	"Too many sockets on the system",
	"Out of system buffers",
	"Protocol or address family not supported",
	"General socket error",
	"Source port range exhausted",
	"Can't bind to source address",
	"Out of local source ports on the system",
	"Local source address already in use",
	"Connection closed while waiting for PROXY protocol header",
	"Connection error while waiting for PROXY protocol header",
	"Timeout while waiting for PROXY protocol header",
	"Truncated PROXY protocol header received",
	"Received something which does not look like a PROXY protocol header",
	"Received an invalid PROXY protocol header",
	"Received an unhandled protocol in the PROXY protocol header",
	"Connection closed while waiting for NetScaler Client IP header",
	"Connection error while waiting for NetScaler Client IP header",
	"Timeout while waiting for a NetScaler Client IP header",
	"Truncated NetScaler Client IP header received",
	"Received an invalid NetScaler Client IP magic number",
	"Received an unhandled protocol in the NetScaler Client IP header",
	"Connection closed during SSL handshake",
	"Connection error during SSL handshake",
	"Timeout during SSL handshake",
	"Too many SSL connections",
	"Out of memory when initializing an SSL connection",
	"Rejected a client-initiated SSL renegotiation attempt",
	"SSL client CA chain cannot be verified",
	"SSL client certificate not trusted",
	"Server presented an SSL certificate different from the configured one",
	"Server presented an SSL certificate different from the expected one",
	"SSL handshake failure",
	"SSL handshake failure after heartbeat",
	"Stopped a TLSv1 heartbeat attack (CVE-2014-0160)",
	"Attempt to use SSL on an unknown target (internal error)",
	"Server refused early data",
	"SOCKS4 Proxy write error during handshake",
	"SOCKS4 Proxy read error during handshake",
	"SOCKS4 Proxy deny the request",
	"SOCKS4 Proxy handshake aborted by server",
	"SSL fatal error",
}

func (c ConnErrCode) String() string {
	if c < 0 || int(c) >= len(connErrMessages) {
		return ""
	}
	return connErrMessages[c]
}

// connErrCode is the identifier of one of HAProxy's messages (0 for a
// message it does not know).
func connErrCode(msg string) ConnErrCode {
	for i, m := range connErrMessages {
		if m == msg {
			return ConnErrCode(i)
		}
	}
	return 0
}

// sslReasons are the OpenSSL 3 error codes (library SSL, 0x0A) HAProxy
// 2.6 reports in ssl_fc_err for the handshake failures goha tells apart,
// with their reason strings (ssl_fc_err_str).
var sslReasons = map[uint32]string{
	0x0A00009B: "https proxy request",
	0x0A00009C: "http request",
	0x0A0000C1: "no shared cipher",
	0x0A0000F4: "unexpected message",
	0x0A000102: "unsupported protocol",
	0x0A00010B: "wrong version number",
}

// SSLErrReason is the string OpenSSL's ERR_error_string gives for code,
// as ssl_fc_err_str returns it ("" for 0 or a code goha does not
// produce).
func SSLErrReason(code uint32) string {
	r, ok := sslReasons[code]
	if !ok {
		return ""
	}
	return fmt.Sprintf("error:%08X:SSL routines::%s", code, r)
}

// errSamples evaluates the frontend's error-log-format samples with code
// as the connection's error (nil without an error-log-format).
func (s *session) errSamples(code ConnErrCode) []string {
	fs := s.fe.cfg.ErrorLogSamples
	if len(fs) == 0 {
		return nil
	}
	s.info.ConnErr = code
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i], _ = f(&s.info)
	}
	s.info.ConnErr = 0
	return out
}

// embryonicEntry is the error-log-format entry of a connection that
// failed before its session began, as HAProxy 2.6 fills it (measured): no
// transaction (status 0, "<BADREQ>", PR--), timers -1 but %Ta 0, %Th and
// %Tt the time since accept, a request counter taken, and on an ssl bind
// the version OpenSSL reports before negotiation and cipher "(NONE)".
func (s *session) embryonicEntry(code ConnErrCode, he *tlsHandshakeError) *LogEntry {
	now := time.Now()
	s.info.Src, s.info.Dst, s.info.ListenerID = s.src, s.dst, s.bind.id
	s.info.Frontend = ProxyRef{s.fe.cfg.Name, s.fe.cfg.ID}
	s.info.Backend = s.info.Frontend
	s.info.px = s.p
	if he != nil {
		s.info.SSLErr = he.sslCode()
	}
	e := &LogEntry{
		Client: s.src, Accept: s.accepted, Start: s.accepted, Frontend: s.fe.cfg.Name,
		Term: term('P', 'R'), TR: -1, Tw: -1, Tc: -1, Tr: -1, Handshake: now.Sub(s.accepted),
		ActConn: s.p.actConn.Load(), FeConn: s.fe.stats.curSessions.Load(),
		FrontAddr: s.dst, ReqCounter: reqCounter.Add(1) - 1, SSLBind: s.info.SSLFront,
		SessLog: true, Embryonic: true, NullConn: true,
	}
	if s.info.SSLFront {
		e.SSLVersion, e.SSLCipher = "TLSv1.3", "(NONE)"
	}
	e.ErrSamples = s.errSamples(code)
	s.info.SSLErr = 0
	return e
}
