package proxy

import (
	"crypto/tls"
	"net"
	"net/netip"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// connInfo is what a session's request facts (RequestInfo, in its txn)
// carry from one transaction to the next: the connection's addresses,
// listener and PROXY header, its TLS facts and errors, its variables and
// tracked counters, its request count, what tcp-request content rules
// saw. A parked session keeps these (about 450 bytes) and gives back the
// rest with its txn; they are put back when it resumes or ends. Every
// other RequestInfo field is set again by each transaction before it is
// read (TestConnInfoCoversRequestInfo lists them).
type connInfo struct {
	src, dst          netip.AddrPort
	frontend, backend ProxyRef
	listenerID        int
	pp                ProxyReceived
	listener          *Listener
	requestNum        int
	prioClass         int
	prioOffset        int
	makeUniqueID      func() string
	tls               *tls.ConnectionState
	frontCert         *tls.Certificate
	frontTLS          FrontTLS
	tlsErrors         tlsconf.VerifyResult
	connFailure       ConnFailure
	payload           []byte
	payloadFinal      bool
	payloadShort      bool
	inspecting        bool
	vars              *[numScopes]varStore
	track             *tracking
	px                *Proxy
	cliTCP            *net.TCPConn
}

// save keeps i's connection facts.
func (c *connInfo) save(i *RequestInfo) {
	*c = connInfo{
		src: i.Src, dst: i.Dst, frontend: i.Frontend, backend: i.Backend,
		listenerID: i.ListenerID, pp: i.PP, listener: i.Listener, requestNum: i.RequestNum,
		prioClass: i.PrioClass, prioOffset: i.PrioOffset, makeUniqueID: i.makeUniqueID,
		tls: i.TLS, frontCert: i.FrontCert, frontTLS: i.FrontTLS, tlsErrors: i.TLSErrors,
		connFailure: i.ConnFailure, payload: i.Payload, payloadFinal: i.PayloadFinal,
		payloadShort: i.payloadShort, inspecting: i.inspecting, vars: i.vars, track: i.track,
		px: i.px, cliTCP: i.cliTCP,
	}
}

// restore puts the kept facts into i (a zeroed one) and lets go of them.
func (c *connInfo) restore(i *RequestInfo) {
	i.Src, i.Dst, i.Frontend, i.Backend = c.src, c.dst, c.frontend, c.backend
	i.ListenerID, i.PP, i.Listener, i.RequestNum = c.listenerID, c.pp, c.listener, c.requestNum
	i.PrioClass, i.PrioOffset, i.makeUniqueID = c.prioClass, c.prioOffset, c.makeUniqueID
	i.TLS, i.FrontCert, i.FrontTLS, i.TLSErrors = c.tls, c.frontCert, c.frontTLS, c.tlsErrors
	i.ConnFailure, i.Payload, i.PayloadFinal = c.connFailure, c.payload, c.payloadFinal
	i.payloadShort, i.inspecting, i.vars, i.track = c.payloadShort, c.inspecting, c.vars, c.track
	i.px, i.cliTCP = c.px, c.cliTCP
	*c = connInfo{}
}
