package proxy

import (
	"crypto/tls"
	"net/netip"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// connInfo is what a session's request facts (RequestInfo, in its txn)
// carry from one transaction to the next and the session cannot derive
// again: the addresses the rules left, the backend, the request count
// and priority, the TLS facts and errors, the variables and tracked
// counters, what tcp-request content rules saw. A parked session keeps
// these (about 340 bytes) and gives back the rest with its txn; they are
// put back when it resumes or ends, with what beginConnInfo derived from
// the session (frontend, listener, proxy, PROXY header, socket, unique-id
// maker: restoreDerived). Every other RequestInfo field is set again by
// each transaction before it is read (TestConnInfoCoversRequestInfo
// lists them).
type connInfo struct {
	src, dst     netip.AddrPort
	backend      ProxyRef
	requestNum   int
	prioClass    int
	prioOffset   int
	tls          *tls.ConnectionState
	frontCert    *tls.Certificate
	frontTLS     FrontTLS
	tlsErrors    tlsconf.VerifyResult
	connFailure  ConnFailure
	payload      []byte
	payloadFinal bool
	payloadShort bool
	inspecting   bool
	vars         *[numScopes]varStore
	shared       *sharedSess
	track        *tracking
	vsize        [numLevels]int64
}

// save keeps i's connection facts.
func (c *connInfo) save(i *RequestInfo) {
	*c = connInfo{
		src: i.Src, dst: i.Dst, backend: i.Backend, requestNum: i.RequestNum,
		prioClass: i.PrioClass, prioOffset: i.PrioOffset,
		tls: i.TLS, frontCert: i.FrontCert, frontTLS: i.FrontTLS, tlsErrors: i.TLSErrors,
		connFailure: i.ConnFailure, payload: i.Payload, payloadFinal: i.PayloadFinal,
		payloadShort: i.payloadShort, inspecting: i.inspecting, vars: i.vars, track: i.track,
		vsize: i.vsize, shared: i.shared,
	}
}

// restore puts the kept facts into i (a zeroed one) and lets go of them.
func (c *connInfo) restore(i *RequestInfo) {
	i.Src, i.Dst, i.Backend, i.RequestNum = c.src, c.dst, c.backend, c.requestNum
	i.PrioClass, i.PrioOffset = c.prioClass, c.prioOffset
	i.TLS, i.FrontCert, i.FrontTLS, i.TLSErrors = c.tls, c.frontCert, c.frontTLS, c.tlsErrors
	i.ConnFailure, i.Payload, i.PayloadFinal = c.connFailure, c.payload, c.payloadFinal
	i.payloadShort, i.inspecting, i.vars, i.track = c.payloadShort, c.inspecting, c.vars, c.track
	i.vsize, i.shared = c.vsize, c.shared
	*c = connInfo{}
}

// restoreDerived sets again the request facts beginConnInfo derived from
// a connection's session (a parked one: never an HTTP/2 stream's), with
// the pointers serve and beginConnInfo gave it into its txn.
func (s *session) restoreDerived() {
	i := &s.info
	i.ListenerID, i.Listener = s.bind.id, s.bind.listener
	i.Frontend = ProxyRef{s.fe.cfg.Name, s.fe.cfg.ID}
	i.px, i.PP, i.cliTCP = s.p, s.pp, s.c.TCPConn
	if s.fe.cfg.UniqueID != nil {
		i.makeUniqueID = s.newUniqueID
	}
	i.req, i.logLevel = &s.req, &s.tl.logLevel
}
