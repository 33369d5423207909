package proxy

// ConnErrCode is HAProxy 2.6's connection error identifier (its CO_ER_*
// values, what fc_err returns); its String is the message fc_err_str
// returns and the default connection error line prints.
type ConnErrCode int

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

// SSLErrReason is OpenSSL's reason string of code ("" for 0 or a code
// goha does not produce).
func SSLErrReason(code uint32) string { return sslReasons[code] }
