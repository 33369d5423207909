package logfmt

import (
	"net/netip"
	"time"
)

// Entry is one finished HTTP transaction or TCP session. Its fields are
// exactly those of proxy.LogEntry, in the same order and with the same
// types, so that a *proxy.LogEntry converts to a *Entry directly (this
// package does not import proxy to stay small; a test pins the identity).
// Durations are -1 when the step was never reached.
type Entry struct {
	Client   netip.AddrPort
	Accept   time.Time // when the connection was accepted (%t)
	Start    time.Time // when waiting for this request began (%tr = Start + Idle)
	Frontend string
	Backend  string // "" when none was chosen (printed as the frontend name)
	Server   string // "" when no server was reached (printed as <NOSRV>)
	TCP      bool   // a tcp-mode session, not an HTTP transaction

	Idle    time.Duration // %Ti
	TR      time.Duration // %TR
	Tw      time.Duration // %Tw
	Tc      time.Duration // %Tc
	Tr      time.Duration // %Tr
	Ta      time.Duration // %Ta (HTTP); for TCP the whole session, %Tt
	Status  int           // %ST, 0 when no response
	Bytes   int64         // %B
	BytesIn int64         // %U
	Retries int           // %rc
	Term    [2]byte       // %ts
	Method  []byte        // nil for TCP, or when no request line was parsed
	Target  []byte
	Minor   int
	Version []byte // the version as received (HAProxy logs it so); nil = HTTP/1.<Minor>
	// URILen is tune.http.logurilen plus one (0: HAProxy's 1024): the
	// request line kept for the log is one byte shorter.
	URILen   int
	NullConn bool // nothing received from the client (option dontlognull)

	ActConn, FeConn, BeConn, SrvConn int64
	SrvQueue, BeQueue                int64

	// Redispatched: a retry went to another server (%rc gets a '+').
	Redispatched bool

	// SSLVersion and SSLCipher are the client connection's TLS protocol
	// and cipher in OpenSSL's names (%sslv, %sslc); "" in clear text.
	SSLVersion, SSLCipher string
	// SSLBind: the client came in on an ssl bind (%ft adds '~').
	SSLBind bool
	// SessLog: HAProxy logs this line with its session, no stream (a
	// request its HTTP/1 parser refused, or none at all): error-log-format
	// applies, its %[...] samples in ErrSamples. Embryonic: a connection
	// that failed before its session began (a TLS handshake, a PROXY
	// header), or an HTTP/2 stream whose head the H2 mux refused: no
	// transaction (%ST 0), and Handshake is its %Th.
	SessLog, Embryonic bool
	ErrSamples         []string
	Handshake          time.Duration

	// Cookie is the persistence cookie's two %tsc characters; zero: "--".
	Cookie [2]byte
	// ReqCaptures and ResCaptures are the captured values, one per
	// capture slot (%hr, %hs); the bits of ReqCaptured and ResCaptured
	// say which hold one (%hrl prints "-" for the others).
	ReqCaptures, ResCaptures []string
	ReqCaptured, ResCaptured uint64

	// FrontAddr is the address the client connected to (%fi, %fp);
	// ReqCounter numbers the transaction among the process's (%rt);
	// UniqueID is the transaction's unique-id (%ID, "" for none).
	FrontAddr  netip.AddrPort
	ReqCounter int64
	UniqueID   string

	// Samples are the values of the format's %[...] samples, in the
	// order Format.Samples gives them ("" for none).
	Samples []string

	// CookieReq and CookieRsp are what `capture cookie` captured (%CC,
	// %CS; "" for none).
	CookieReq, CookieRsp string
	// LogLevel is set-log-level's choice: 0 none, -1 silent (no line),
	// else the level plus one.
	LogLevel int8
	// ASAP: the frontend has `option logasap`; %Ta, %Tt and %B are
	// printed with a leading '+' (on every line, early or not).
	ASAP bool
}

// Env is what a log line needs that does not change per transaction.
type Env struct {
	PID      int            // %pid
	Hostname string         // %H
	Location *time.Location // for %t, %tr, %Tl, %trl; nil = time.Local
}

// Skip reports whether HAProxy would not log e at all: with `option
// dontlognull`, a connection on which the client sent nothing is not
// logged.
func Skip(e *Entry, dontLogNull bool) bool {
	return dontLogNull && e.NullConn
}

// Options are a proxy's options that decide whether and at which level a
// transaction is logged.
type Options struct {
	DontLogNull    bool // option dontlognull
	DontLogNormal  bool // option dontlog-normal: only log errors (see IsError)
	SeparateErrors bool // option log-separate-errors: errors at level err
}

// Decide returns whether e is logged and at which level, as HAProxy 2.6
// decides at the end of a stream.
func Decide(e *Entry, o Options) (log bool, level Level) {
	if Skip(e, o.DontLogNull) {
		return false, Info
	}
	isErr := IsError(e)
	if o.DontLogNormal && !isErr {
		return false, Info
	}
	switch {
	case e.LogLevel < 0:
		return false, Info // set-log-level silent
	case e.LogLevel > 0:
		return true, Level(e.LogLevel - 1) // set-log-level wins over log-separate-errors
	case isErr && o.SeparateErrors:
		return true, Err
	}
	return true, Info
}

// IsError is HAProxy's notion of an "interesting" transaction for
// dontlog-normal and log-separate-errors: it ended on an error other
// than a local one ('L'), was retried without error, or got a 5xx in
// HTTP mode. Redispatches count too.
func IsError(e *Entry) bool {
	switch e.Term[0] {
	case 0, '-':
		if e.Retries > 0 || e.Redispatched {
			return true
		}
	case 'L':
	default:
		return true
	}
	return !e.TCP && e.Status >= 500
}

// maxURILen is HAProxy's default size of the request line kept for the
// log (tune.http.logurilen 1023, plus one): the line is cut to this
// length minus one.
const maxURILen = 1024

// uriRoom is how many bytes of the request line the log keeps; with none
// (tune.http.logurilen 0) HAProxy prints %r as "" and the fields read
// from the line as <BADREQ> (measured).
func uriRoom(e *Entry) int {
	if e.URILen > 0 {
		return e.URILen - 1
	}
	return maxURILen - 1
}
