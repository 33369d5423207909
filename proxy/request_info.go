package proxy

import (
	"crypto/tls"
	"net"
	"net/netip"
	"time"
	"unsafe"

	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// RequestInfo is what conditions and balancers see of a request.
type RequestInfo struct {
	Src netip.AddrPort
	// Dst is the address the client connected to (an accept-proxy bind: the PROXY header's).
	Dst    netip.AddrPort
	Method []byte
	Target []byte
	// Frontend is the proxy the connection arrived on, ListenerID its
	// listener's so_id; Backend is the one chosen for the request, the
	// frontend until then (HAProxy's stream starts with its frontend as
	// backend).
	Frontend, Backend ProxyRef
	ListenerID        int
	PP                ProxyReceived // fc_rcvd_proxy, fc_pp_authority, fc_pp_unique_id
	Listener          *Listener     // so_name, dst_conn (nil outside a listener's connection)
	// RequestNum counts the requests of the connection: 1 for the first
	// (http_first_req).
	RequestNum int
	// PrioClass and PrioOffset are the stream's set-priority-class and
	// set-priority-offset (0 for each new request): its place in a
	// backend queue (actions_priority.go).
	PrioClass, PrioOffset int
	// uniqueID is the transaction's unique-id once made (uniqueIDDone),
	// by makeUniqueID (unique_id.go).
	uniqueID     string
	uniqueIDDone bool
	makeUniqueID func() string
	// reqCaps and resCaps are the transaction's captures (captures.go).
	reqCaps, resCaps captures
	// resp is the server's response while the http-response rules run
	// (nil otherwise: the res.* fetches then have no value).
	resp *http1.Response
	// resBody is what is buffered of the response body (chunk framing
	// included); resPlain caches it without framing (res_body.go).
	// compAlgo is the algorithm compressing this response ("": none).
	compAlgo string
	// cache is the transaction's cache state (cache_use.go).
	cache        cacheTxn
	resBody      []byte
	resPlain     []byte
	resPlainDone bool
	// TLS is the client connection's TLS state (nil: clear text).
	TLS *tls.ConnectionState
	// FrontCert is the certificate the bind served on it (ssl_f_*).
	FrontCert *tls.Certificate
	// FrontTLS: what its TLS handshake showed (tls_front.go).
	FrontTLS
	// respConn is the server connection of the transaction's response,
	// from its head until the transaction ends (ServerTLS).
	respConn *tconn
	// TLSErrors are the client certificate's verification errors that
	// ca-ignore-err/crt-ignore-err let through (zero: none).
	TLSErrors   tlsconf.VerifyResult
	ConnFailure // fc_err, ssl_fc_err and the ssl bind (conn_err.go)
	// Payload is what a tcp-mode client sent so far, before a server is
	// connected (the req.ssl_* and req.payload-style fetches read it).
	Payload []byte
	// PayloadFinal: no more bytes will be waited for (inspect-delay
	// over, buffer full, client done); a fetch short of bytes then has
	// no value for good.
	PayloadFinal bool
	// payloadShort is set by a fetch short of bytes while more may come:
	// the rule being evaluated waits (HAProxy's ACL "miss").
	payloadShort bool
	// inspecting: tcp-mode content inspection is under way (inspectTCP),
	// the only place a fetch may still wait for bytes.
	inspecting bool
	// inspectUntil and inspectDelay are the inspection's deadline (zero:
	// not started) and delay, which a do-resolve waits no longer than
	// (do_resolve.go).
	inspectUntil time.Time
	inspectDelay time.Duration
	req          *http1.Request
	// rawOn: a tcp stream, whose HTTP fetches read the head raw holds,
	// parsed from Payload when a fetch asks (raw_http.go).
	rawOn bool
	raw   *rawHead
	// body is what is buffered of the request body as it arrived
	// (chunked framing included when chunked); plain caches it without
	// framing once a fetch asked (body_wait.go).
	body      []byte
	plain     []byte
	plainDone bool
	// hdrs is the header list as the http-request rules left it, when
	// edited says one of them changed it (rule_edits.go).
	hdrs   []http1.Header
	edited bool
	// vars are the sess, txn and req/res variables (vars.go), nil until
	// a rule sets one; track the session's sticky counters and tables
	// (track.go), nil outside a session.
	vars *[numScopes]varStore
	// shared is, for an HTTP/2 connection and its streams, the sess
	// variables they share (vars_shared.go), nil otherwise.
	shared *sharedSess
	// sessGiven: an HTTP/2 stream gave its txn and req variables' bytes
	// back to the connection's sess level (releaseStreamVars).
	sessGiven bool
	// vsize are the variables' sizes as HAProxy counts them, by level
	// (vars_limits.go).
	vsize [numLevels]int64
	track *tracking
	// kept holds the variables' bytes the fetches read during the
	// transaction (ReadVar): reset when the transaction ends, so a
	// sample read from a variable stays what it was for the rest of it
	// and reading one allocates nothing once kept has grown.
	kept []byte
	// px is the running proxy the be_*/fe_*/srv_* fetches read
	// (sample_state.go); nil outside one. server and srvConn are the
	// server the transaction went to and the connection to it (srv_name,
	// bc_src, ...), kept until the next transaction.
	px      *Proxy
	server  *server
	srvConn *tconn
	srvErr  ConnErrCode // the last connect attempt's error code (bc_err.go)
	// srvTried is where the last failed connect attempt went (bc_err.go),
	// srvTriedFrom its socket's address (failed_src.go).
	srvTried, srvTriedFrom netip.AddrPort
	// lastRule is the last final rule of the stream (last_rule.go).
	lastRule *RuleOrigin
	stream   streamFigures // cur_*_timeout, cpu_calls, res.payload (stream_figures.go)
	// cliTCP is the client's TCP socket (fc_rtt and the other TCP_INFO
	// fetches), an HTTP/2 stream's its connection's.
	cliTCP *net.TCPConn
	// logLevel is the session's set-log-level choice (timeline.logLevel)
	// a TCP rule's Exec sets (LogLevelExec); nil: none to set.
	logLevel *int8
	eval     evalScratch // the sample engine's frames (request_info.go)
}

// NewRequestInfo is what conditions see of a parsed request; the proxy
// fills its own per session, tests and tools build one with this.
func NewRequestInfo(src netip.AddrPort, req *http1.Request) *RequestInfo {
	return &RequestInfo{Src: src, Method: req.Method, Target: req.Target, req: req}
}

// EndTransaction ends the transaction of a RequestInfo built with
// NewRequestInfo, as the proxy ends each of a session's before the next:
// the txn and req variables go, and the scratch their values and the
// converters' samples took is reused.
func (r *RequestInfo) EndTransaction() { r.endTransaction() }

// Headers returns every header field of the request in the order the
// server will receive them (after duplicate Host and Content-Length
// merging) and as the http-request rules run so far left them: header
// fetches must see every occurrence the server sees.
func (r *RequestInfo) Headers() []http1.Header {
	if r.edited {
		return r.hdrs
	}
	if r.req == nil {
		return nil
	}
	return r.req.Headers
}

// RequestLine is the request line as received, before any rule rewrote
// it (capture.req.method, capture.req.uri, capture.req.ver).
func (r *RequestInfo) RequestLine() (method, target, version []byte) {
	if r.req == nil || r.rawRequest() {
		return nil, nil, nil
	}
	return r.req.Method, r.req.Target, r.req.Version
}

// SetResponse makes resp the response the res.* fetches read (tests and
// tools; the proxy sets it for its http-response rules).
func (r *RequestInfo) SetResponse(resp *http1.Response) { r.resp = resp }

// ResponseHeaders returns the header fields of the response the
// http-response rules run on, as the server sent them (nil outside those
// rules).
func (r *RequestInfo) ResponseHeaders() []http1.Header {
	if r.resp == nil {
		return nil
	}
	return r.resp.Headers
}

// Status is the status code of the response the http-response rules run
// on (0 outside those rules).
func (r *RequestInfo) Status() int {
	if r.resp == nil {
		return 0
	}
	return r.resp.Status
}

// ResponseVersion is that response's HTTP version as received (nil
// outside those rules).
func (r *RequestInfo) ResponseVersion() []byte {
	if r.resp == nil {
		return nil
	}
	return r.resp.Version
}

// Authority is the authority of an absolute-form target (nil for other
// forms): the host the server reads when the request has no Host header.
func (r *RequestInfo) Authority() []byte {
	if r.req == nil {
		return nil
	}
	return r.req.Authority
}

// Version is the request's HTTP version as received ("HTTP/1.1"; nil
// without a parsed request).
func (r *RequestInfo) Version() []byte {
	if r.req == nil {
		return nil
	}
	return r.req.Version
}

// Header returns the value of the first header named name (case-insensitive
// ASCII; pass it in lower case), or nil.
func (r *RequestInfo) Header(name string) []byte {
	for _, h := range r.Headers() {
		if http1.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return nil
}

// evalScratch is where the sample engine (package acl) keeps its
// evaluation frames for a request's connection: an evaluation then takes
// nothing from a pool. The engine sets it on first use; the proxy hands
// it back (releaseEval) when the connection or stream ends.
// fast is the same state as a bare pointer, read without a type
// assertion by the engine's most frequent step (EvalFast).
type evalScratch struct {
	state any
	fast  unsafe.Pointer
}

// evalRelease takes back a connection's evaluation frames (set by the
// engine, SetEvalRelease).
var evalRelease func(any)

// SetEvalRelease is how the sample engine takes back the frames it kept
// on a request (EvalState) once the proxy is done with it.
func SetEvalRelease(f func(any)) { evalRelease = f }

// EvalState is the sample engine's slot on r: nil until it first
// evaluates on r, then the engine's own.
func (r *RequestInfo) EvalState() *any { return &r.eval.state }

// EvalFast is the pointer the engine keeps beside its state (the same
// value), cleared with it.
func (r *RequestInfo) EvalFast() *unsafe.Pointer { return &r.eval.fast }

// releaseEval hands r's evaluation frames back to the engine.
func (r *RequestInfo) releaseEval() {
	if r.eval.state != nil && evalRelease != nil {
		evalRelease(r.eval.state)
	}
	r.eval.state, r.eval.fast = nil, nil
}

// balanceLastHeader and balanceHeader give the balancers (hdr(), the
// hash-type header samples) a header of the request as the rules left it.
func (s *session) balanceLastHeader(name string) (string, bool) {
	v := s.info.lastHeader(name)
	return string(v), v != nil
}

func (s *session) balanceHeader(name string) (string, bool) {
	v := s.info.Header(name)
	return string(v), v != nil
}
