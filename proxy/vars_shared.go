package proxy

import "sync"

// The session variables of an HTTP/2 connection. HAProxy 2.6 runs each
// stream of a connection in the connection's session: a sess.* variable
// a stream sets is seen by the streams after it (and by those running
// beside it), those the connection's tcp-request connection and session
// rules set are seen by every stream, and tune.vars.sess-max-size bounds
// them all together (measured beside HAProxy: TestH2SessVarsMatchHAProxy).
// goha serves each stream as a session of its own (h2_session.go), so
// the connection's sess store moves into a sharedSess its streams point
// to (RequestInfo.shared), which they reach under its lock: streams run
// on goroutines of their own.

// sharedSess is an HTTP/2 connection's sess variables and their size
// (the sess level of vars_limits.go), shared by its streams.
type sharedSess struct {
	mu   sync.Mutex
	st   varStore
	size int64
}

// shareSess moves the session variables the connection's rules left in
// r (and their size) into a store its HTTP/2 streams share.
func (r *RequestInfo) shareSess() *sharedSess {
	sh := &sharedSess{size: r.vsize[levelSess]}
	if r.vars != nil {
		sh.st = r.vars[ScopeSess]
		r.vars[ScopeSess] = varStore{}
	}
	r.vsize[levelSess] = 0
	return sh
}

// storeOf is the store of scope's variables for a write (r.vars made
// when needed): the shared one for a stream's sess scope.
func (r *RequestInfo) storeOf(scope VarScope) *varStore {
	if scope == ScopeProc { // the caller holds procVars.mu
		return &procVars.st
	}
	if scope == ScopeSess && r.shared != nil {
		return &r.shared.st
	}
	if r.vars == nil {
		r.vars = new([numScopes]varStore)
	}
	return &r.vars[scope]
}

// levelSize is the byte count of an accounting level: a stream's sess
// level is its connection's.
func (r *RequestInfo) levelSize(lv int) *int64 {
	if lv == levelSess && r.shared != nil {
		return &r.shared.size
	}
	return &r.vsize[lv]
}

// releaseStreamVars gives an HTTP/2 stream's txn, req and res
// variables' bytes back to its connection's sess level right before its
// response ends (streamSession.BeforeEnd), as HAProxy frees a stream
// before its mux sends the stream's last frame: the next stream never
// finds them counted. Their values stay for the log line; the stream's
// later frees leave the sess level alone (sessGiven).
func (r *RequestInfo) releaseStreamVars() {
	sh := r.shared
	if sh == nil || r.vars == nil || r.sessGiven || r.varLimits() == nil {
		return
	}
	var n int64
	for _, sc := range [...]VarScope{ScopeTxn, ScopeReq, ScopeRes} {
		for i := range r.vars[sc].vals {
			if cur := &r.vars[sc].vals[i]; cur.exists {
				n += varCost + varBytes(cur)
			}
		}
	}
	sh.mu.Lock()
	sh.size -= n
	sh.mu.Unlock()
	r.procDiff(-n) // vars_proc_limit.go
	r.sessGiven = true
}

// endStreamVars gives an HTTP/2 stream's txn, req and res variables'
// bytes back when the stream ends without its response's end written (a
// reset stream), as HAProxy prunes a stream's variables when it ends.
func (r *RequestInfo) endStreamVars() {
	if r.shared == nil || r.vars == nil || r.varLimits() == nil {
		return
	}
	for _, sc := range [...]VarScope{ScopeTxn, ScopeReq, ScopeRes} {
		r.freeCounted(sc)
		r.vars[sc].clear()
	}
}
