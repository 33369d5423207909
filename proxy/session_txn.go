package proxy

import (
	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/http1"
)

// txn is the part of a session that only a transaction in progress
// needs: the request and response heads, the rules' edits, the request
// facts, the log line being built, the timeline. A session holds one
// while it serves (and while it waits for a next request on its
// goroutine); a parked session (idle_park.go) gives it back and takes a
// zeroed one when it resumes or ends, as HAProxy frees a stream between
// the requests of a kept-alive connection and keeps its small session.
// Every field starts each transaction from what the first transaction of
// a connection sees (zero, or reset before use), so a fresh one serves
// the next request the same; the request facts that outlive a
// transaction are kept aside meanwhile (connInfo).
type txn struct {
	// lineCopy holds the request line's method and target once a
	// streamed body takes s.buf (keepRequestLine).
	lineCopy []byte
	req      http1.Request
	resp     http1.Response
	out      []byte // head being built
	// edits holds the header list the http-request rules edited; target
	// is the target set-path rewrote.
	edits editedHeaders
	// resEdits holds the response header list the http-response rules
	// edited (response_rules.go).
	resEdits editedHeaders
	// after is what the http-after-response rules work on (after_response.go).
	after  afterState
	target []byte
	method []byte // the method set-method wrote (empty: the client's)
	beName []byte // a dynamic use_backend's name, looked up at once
	// applet is the Service answering this request while it is logged.
	applet   Service
	appletBe *backend // the backend whose stats page answered (nil: the frontend's), as logged
	// breq is what the balancers read of the request.
	breq balance.Request
	// info is what conditions and fetches see of the request; its
	// connection facts outlive a park in the session (connInfo).
	info RequestInfo

	// Per-transaction log material.
	tl      timeline
	le      LogEntry
	samples []string // le.Samples' array, reused
	retries retryLog
	ck      cookieTxn    // persistence cookie (persist_session.go)
	stores  []stickStore // entries stick rules store once the response is in (stick_persist.go)
}

// newTxn is a zeroed transaction state for a new or resuming session. A
// parked session's is left to the collector rather than pooled: with
// 10,000 clients parked, a pool held 34 MB of them until two collections
// had passed, which a daemon with idle clients may not run for minutes.
func newTxn() *txn { return new(txn) }

// dropTxn gives a parked session's transaction state back, its request
// facts (info) with it but for their connection facts, which the session
// keeps (connInfo); the sample engine's frames go back to their pool as
// when a session ends. It runs under the parker's lock once the socket
// is registered: whoever takes the session next (resume, its timeout, a
// stop) does so after it, and nothing else reads these meanwhile.
func (s *session) dropTxn() {
	if s.txn == nil {
		return
	}
	s.info.releaseEval()
	s.parked.save(&s.info)
	s.txn = nil
}

// takeTxn gives a session taken from the parker a zeroed transaction
// state, before it resumes or ends, with the connection facts it kept,
// and points its request facts and the balancers' header reads at it as
// serve and beginConnInfo did.
func (s *session) takeTxn() {
	if s.txn != nil {
		return
	}
	s.txn = newTxn()
	s.parked.restore(&s.info)
	s.restoreDerived() // session_conninfo.go
	s.breq.Header = s.balanceHeader
	s.breq.LastHeader = s.balanceLastHeader
}
