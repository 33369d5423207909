package proxy

// tune.vars.proc-max-size and global-max-size, as HAProxy 2.6 accounts
// (measured on 2.6.12 beside goha: TestProcVarLimitsMatchHAProxy). Both
// limit one process-wide count, which every variable of every scope of
// every session adds to (80 bytes once created plus a string's bytes, as
// vars_limits.go counts the session's levels), and the proc variables
// too: each proc variable the configuration names is created at load
// and stays for the process's life (80 bytes; unset-var frees its
// value only). A set that would pass the limit fails silently, as one
// over a session level does. The count is given back as HAProxy frees
// the variables: on unset-var and overwrite, at the end of a request
// (req), a transaction (txn, res) and a session (sess, and whatever it
// still held). The count is kept only under a limit, as HAProxy's.

// countsInProc says whether a variable of scope counts in the process
// level now: a stream whose txn and req bytes went back to its HTTP/2
// connection (releaseStreamVars) gave them back here too.
func (r *RequestInfo) countsInProc(scope VarScope) bool {
	return scope == ScopeProc || scope == ScopeSess || !r.sessGiven
}

// procTake takes n bytes of the process level when they fit under limit.
func procTake(limit, n int64) bool {
	for {
		cur := procVars.size.Load()
		if cur+n > limit {
			return false
		}
		if procVars.size.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// procDiff adds n to the process level when it is kept.
func (r *RequestInfo) procDiff(n int64) {
	if l := r.varLimits(); l != nil && l.Proc > 0 {
		procVars.size.Add(n)
	}
}

// storeCost is what the variables of st take.
func storeCost(st *varStore) int64 {
	var n int64
	for i := range st.vals {
		if cur := &st.vals[i]; cur.exists {
			n += varCost + varBytes(cur)
		}
	}
	return n
}

// endSessionVars gives the process level back what the variables of a
// session that ends still take (HAProxy prunes them with the session,
// and a stream's with the stream). Called once, by the connection's
// session: an HTTP/2 stream's are given back by the stream.
func (r *RequestInfo) endSessionVars() {
	l := r.varLimits()
	if l == nil || l.Proc == 0 {
		return
	}
	var n int64
	if r.vars != nil {
		for sc := range r.vars {
			if VarScope(sc) != ScopeProc && (VarScope(sc) == ScopeSess || !r.sessGiven) {
				n += storeCost(&r.vars[sc])
			}
		}
	}
	if sh := r.shared; sh != nil {
		sh.mu.Lock()
		n += storeCost(&sh.st)
		sh.mu.Unlock()
	}
	procVars.size.Add(-n)
}

// dropConnVars gives back what the variables a connection's rules set
// take when the connection ends before its session begins.
func (p *Proxy) dropConnVars(vars *[numScopes]varStore) {
	if vars != nil && p.cfg.VarLimits.Proc > 0 {
		r := RequestInfo{px: p, vars: vars}
		r.endSessionVars()
	}
}

// startProcVars sets the process level to what the configuration's proc
// variables take from the load on (a new configuration: its own process
// in HAProxy), their values set so far included.
func startProcVars(l *VarLimits) {
	procVars.mu.Lock()
	defer procVars.mu.Unlock()
	n := l.ProcNames
	for i := range procVars.st.vals {
		n += varBytes(&procVars.st.vals[i])
	}
	procVars.size.Store(n)
}
