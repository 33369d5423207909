package proxy

// tune.vars.txn-max-size, reqres-max-size and sess-max-size, as HAProxy
// 2.6 accounts variables (measured on 2.6.12 beside goha:
// TestVarLimitsDifferential). Each variable costs 80 bytes when it is
// created (sizeof(struct var)), plus the bytes of a string or binary
// value while it holds one. The levels nest: a req or res variable
// counts in reqres, txn and sess; a txn one in txn and sess; a sess one
// in sess. A set-var that would pass a limit fails silently: a variable
// that cannot be created stays absent; one created whose value's bytes
// do not fit is left a boolean (HAProxy keeps whatever its memory held
// as the value, which its documentation calls corrupted: measured 0 when
// the variable's memory was reused, other bytes in a fresh allocation;
// goha's is 0). The end of a request frees the req variables, the end of a
// transaction the txn ones, each level given its bytes back. Every
// variable also counts in the process level when proc-max-size or
// global-max-size is set (vars_proc_limit.go).

// VarLimits are the limits in bytes (0: none). Proc is the
// process-wide one and ProcNames the bytes the configuration's proc
// variables take from the load on (vars_proc_limit.go).
type VarLimits struct {
	Txn, ReqRes, Sess, Proc, ProcNames int64
}

// varCost is HAProxy 2.6's sizeof(struct var) on 64-bit, which a
// variable costs once created (measured).
const varCost = 80

// The accounting levels of RequestInfo.vsize.
const (
	levelReqRes = iota
	levelTxn
	levelSess
	numLevels
)

// varLimits are the session's limits (nil: none, nothing counted).
func (r *RequestInfo) varLimits() *VarLimits {
	if r.px == nil {
		return nil
	}
	if l := &r.px.cfg.VarLimits; *l != (VarLimits{}) {
		return l
	}
	return nil
}

// firstLevel is the finest level a variable of scope counts in (-1:
// none, a process variable).
func firstLevel(scope VarScope) int {
	switch scope {
	case ScopeReq, ScopeRes:
		return levelReqRes
	case ScopeTxn:
		return levelTxn
	case ScopeSess:
		return levelSess
	}
	return -1
}

// varRoom takes n bytes for a variable of scope when every level it
// counts in has room (HAProxy's var_accounting_add), the process level
// last (vars_proc_limit.go).
func (r *RequestInfo) varRoom(l *VarLimits, scope VarScope, n int64) bool {
	if first := firstLevel(scope); first >= 0 {
		limits := [numLevels]int64{l.ReqRes, l.Txn, l.Sess}
		for lv := first; lv < numLevels; lv++ {
			if limits[lv] > 0 && *r.levelSize(lv)+n > limits[lv] {
				return false
			}
		}
	}
	if l.Proc > 0 && r.countsInProc(scope) && !procTake(l.Proc, n) {
		return false
	}
	r.sessDiff(scope, n)
	return true
}

// varDiff adds n to every level a variable of scope counts in.
func (r *RequestInfo) varDiff(scope VarScope, n int64) {
	r.sessDiff(scope, n)
	if r.countsInProc(scope) {
		r.procDiff(n)
	}
}

// sessDiff adds n to the session's levels a variable of scope counts in.
func (r *RequestInfo) sessDiff(scope VarScope, n int64) {
	if first := firstLevel(scope); first >= 0 {
		for lv := first; lv < numLevels; lv++ {
			if lv == levelSess && r.sessGiven && scope != ScopeSess {
				break // given back before the stream's end (vars_shared.go)
			}
			*r.levelSize(lv) += n
		}
	}
}

// varBytes is what a value costs beyond its variable: a string's or a
// binary's bytes.
func varBytes(v *Var) int64 {
	if v.Set && (v.Type == sampleStr || v.Type == sampleBin) {
		return int64(len(v.Bytes))
	}
	return 0
}

// The sample engine's type numbers (parser/haproxy SampleType) the
// accounting reads.
const (
	sampleBool = 1
	sampleStr  = 3
	sampleBin  = 4
)

// storeCounted is StoreVarIf for a session with limits (c 0: no
// condition): the variable's creation, then the conditions, then its
// value, each accounted.
func (r *RequestInfo) storeCounted(l *VarLimits, scope VarScope, slot int, v *Var, c VarCond, k VarKind) {
	st := r.storeOf(scope) // the caller holds a stream's shared lock, or procVars'
	// a proc variable exists from the load on (vars_proc_limit.go)
	exists := scope == ScopeProc || slot < len(st.vals) && st.vals[slot].exists
	if c != 0 && ((exists && c&VarIfNotExists != 0) || (!exists && c&VarIfExists != 0)) {
		return
	}
	if !exists && !r.varRoom(l, scope, varCost) {
		return // not created
	}
	cur := st.slot(slot)
	cur.exists = true
	if c != 0 && !varCondsAllow(cur, v, c, k) {
		return
	}
	r.varDiff(scope, -varBytes(cur)) // the old value's bytes are freed
	if n := varBytes(v); n > 0 && !r.varRoom(l, scope, n) {
		cur.Type, cur.Int, cur.Bytes, cur.Set = sampleBool, 0, cur.Bytes[:0], true
		return
	}
	storeVar(st, slot, v)
}

// unsetCounted gives back an unset variable's bytes.
func (r *RequestInfo) unsetCounted(scope VarScope, slot int) {
	if r.vars == nil && scope != ScopeProc && (scope != ScopeSess || r.shared == nil) {
		return
	}
	st := r.storeOf(scope)
	if slot >= len(st.vals) {
		return
	}
	if cur := &st.vals[slot]; scope == ScopeProc {
		r.varDiff(scope, -varBytes(cur)) // it stays, its 80 bytes counted
	} else if cur.exists {
		r.varDiff(scope, -varCost-varBytes(cur))
	}
}

// freeCounted gives back the bytes of every variable of scope's store,
// about to be cleared.
func (r *RequestInfo) freeCounted(scope VarScope) {
	if r.vars == nil {
		return
	}
	var n int64
	for i := range r.vars[scope].vals {
		if cur := &r.vars[scope].vals[i]; cur.exists {
			n += varCost + varBytes(cur)
		}
	}
	if sh := r.shared; sh != nil { // the sess level is the connection's
		sh.mu.Lock()
		defer sh.mu.Unlock()
	}
	r.varDiff(scope, -n)
}

// recountSess sets the sess level from the session variables the
// connection's rules left (counted on another RequestInfo).
func (r *RequestInfo) recountSess() {
	r.vsize = [numLevels]int64{}
	if r.vars != nil {
		for i := range r.vars[ScopeSess].vals {
			if cur := &r.vars[ScopeSess].vals[i]; cur.exists {
				r.vsize[levelSess] += varCost + varBytes(cur)
			}
		}
	}
}
