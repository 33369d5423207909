package proxy

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Variables of HAProxy's scopes. A variable holds a typed sample: the
// sample engine (proxy/acl) gives each name a slot in its scope's store
// when it compiles the configuration, and reads and writes the slots
// through the RequestInfo; the proxy only keeps the stores and their
// lifetimes:
//
//	proc      the process (the proxy's lifetime; set at start by `global set-var`)
//	sess      the client connection: every request it carries (the streams
//	          of an HTTP/2 connection share it: vars_shared.go)
//	txn       one request and its response
//	req, res  one request's, one response's processing (req.x and res.x
//	          are two variables, as measured with HAProxy 2.6)
//
// The txn, req and res stores are cleared at each request and keep their
// buffers, so a request that sets variables does not allocate once the
// stores have grown.

// VarScope is the store a variable lives in.
type VarScope uint8

const (
	ScopeProc VarScope = iota
	ScopeSess
	ScopeTxn
	ScopeReq
	ScopeRes
	numScopes
)

// Var is one variable's value: a typed sample (Type is the sample
// engine's type number; Int or Bytes holds the data) and whether it is
// set at all.
type Var struct {
	Type  uint8
	Set   bool
	Int   int64
	Bytes []byte
	Addr  [16]byte // an address sample (Type says which family)
	// exists: the variable was created in its store, maybe never set
	// (a set-var whose condition failed after creating it), which the
	// ifexists/ifnotexists conditions see (var_conds.go).
	exists bool
}

// varStore is the variables of one scope, by slot.
type varStore struct {
	vals  []Var
	dirty bool
}

func (st *varStore) slot(i int) *Var {
	if i >= len(st.vals) {
		if i < cap(st.vals) {
			st.vals = st.vals[:i+1]
		} else {
			st.vals = append(st.vals, make([]Var, i+1-len(st.vals))...)
		}
	}
	st.dirty = true
	return &st.vals[i]
}

func (st *varStore) clear() {
	if !st.dirty {
		return
	}
	for i := range st.vals {
		st.vals[i].Set, st.vals[i].exists = false, false
	}
	st.dirty = false
}

// procVars is the process scope, shared by every session, and the
// process-wide count of tune.vars.proc-max-size and global-max-size
// (vars_proc_limit.go).
var procVars struct {
	mu   sync.Mutex
	st   varStore
	size atomic.Int64
}

// LoadVar copies variable slot of scope into dst (its Bytes buffer
// reused); false when the variable is not set.
func (r *RequestInfo) LoadVar(scope VarScope, slot int, dst *Var) bool {
	if scope == ScopeProc {
		procVars.mu.Lock()
		defer procVars.mu.Unlock()
		return copyVar(&procVars.st, slot, dst)
	}
	if sh := r.shared; sh != nil && scope == ScopeSess {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return copyVar(&sh.st, slot, dst)
	}
	if r.vars == nil {
		return false
	}
	return copyVar(&r.vars[scope], slot, dst)
}

// ReadVar is LoadVar with dst.Bytes a copy kept in the transaction's
// scratch (valid until the transaction ends, never written again): the
// sample engine reads a variable without allocating.
func (r *RequestInfo) ReadVar(scope VarScope, slot int, dst *Var) bool {
	var st *varStore
	if scope == ScopeProc {
		procVars.mu.Lock()
		defer procVars.mu.Unlock()
		st = &procVars.st
	} else if sh := r.shared; sh != nil && scope == ScopeSess {
		sh.mu.Lock() // vars_shared.go
		defer sh.mu.Unlock()
		st = &sh.st
	} else if r.vars != nil {
		st = &r.vars[scope]
	}
	if st == nil || slot >= len(st.vals) || !st.vals[slot].Set {
		return false
	}
	*dst = st.vals[slot]
	dst.Bytes = r.keep(dst.Bytes)
	return true
}

// keptMax bounds the scratch of a session whose transactions never end
// (a tcp-mode connection's rules): past it a new array is taken, the old
// one left to what still reads it.
const keptMax = 16 << 10

// keep copies b to the transaction's scratch.
func (r *RequestInfo) keep(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	out := r.Scratch(len(b))
	copy(out, b)
	return out
}

// Scratch returns n bytes of the transaction's scratch, for a sample a
// converter makes (lower, upper): valid until the transaction ends, as
// the variables ReadVar reads, and allocated only while the scratch
// grows.
func (r *RequestInfo) Scratch(n int) []byte {
	k := len(r.kept)
	if k+n > cap(r.kept) && k >= keptMax {
		r.kept, k = make([]byte, 0, max(keptMax, n)), 0
	}
	r.kept = slices.Grow(r.kept, n)[:k+n]
	return r.kept[k : k+n : k+n]
}

func copyVar(st *varStore, slot int, dst *Var) bool {
	if slot >= len(st.vals) || !st.vals[slot].Set {
		return false
	}
	src := &st.vals[slot]
	b := append(dst.Bytes[:0], src.Bytes...)
	*dst = *src
	dst.Bytes = b
	return true
}

// StoreVar sets variable slot of scope to v (its Bytes copied).
func (r *RequestInfo) StoreVar(scope VarScope, slot int, v *Var) {
	if scope == ScopeProc {
		procVars.mu.Lock()
		defer procVars.mu.Unlock()
		if l := r.varLimits(); l != nil && l.Proc > 0 {
			r.storeCounted(l, scope, slot, v, 0, 0) // vars_limits.go
			return
		}
		storeVar(&procVars.st, slot, v)
		return
	}
	if sh := r.shared; sh != nil { // an HTTP/2 stream (vars_shared.go)
		sh.mu.Lock()
		defer sh.mu.Unlock()
	}
	if l := r.varLimits(); l != nil {
		r.storeCounted(l, scope, slot, v, 0, 0) // vars_limits.go
		return
	}
	storeVar(r.storeOf(scope), slot, v)
}

func storeVar(st *varStore, slot int, v *Var) {
	dst := st.slot(slot)
	b := append(dst.Bytes[:0], v.Bytes...)
	*dst = *v
	dst.Bytes = b
	dst.Set, dst.exists = true, true
}

// UnsetVar removes variable slot of scope.
func (r *RequestInfo) UnsetVar(scope VarScope, slot int) {
	if scope == ScopeProc {
		procVars.mu.Lock()
		defer procVars.mu.Unlock()
		if l := r.varLimits(); l != nil && l.Proc > 0 {
			r.unsetCounted(scope, slot) // vars_limits.go
		}
		if slot < len(procVars.st.vals) {
			procVars.st.vals[slot].Set = false
		}
		return
	}
	if sh := r.shared; sh != nil { // an HTTP/2 stream (vars_shared.go)
		sh.mu.Lock()
		defer sh.mu.Unlock()
	}
	if r.varLimits() != nil {
		r.unsetCounted(scope, slot) // vars_limits.go
	}
	if r.vars == nil && (scope != ScopeSess || r.shared == nil) {
		return
	}
	if st := r.storeOf(scope); slot < len(st.vals) {
		st.vals[slot].Set, st.vals[slot].exists = false, false
	}
}

// endTransaction drops the variables of the transaction that ended.
func (r *RequestInfo) endTransaction() {
	r.resp, r.respConn = nil, nil
	r.kept = r.kept[:0]
	if r.vars != nil {
		if r.varLimits() != nil {
			for _, sc := range []VarScope{ScopeTxn, ScopeReq, ScopeRes} {
				r.freeCounted(sc) // vars_limits.go
			}
		}
		r.vars[ScopeTxn].clear()
		r.vars[ScopeReq].clear()
		r.vars[ScopeRes].clear()
	}
}

// endRequest drops the req-scoped variables: HAProxy frees them once the
// request is processed, so http-response rules and the log line no longer
// see them (measured: %[var(req.x)] logs "-").
func (r *RequestInfo) endRequest() {
	if r.vars != nil {
		if r.varLimits() != nil {
			r.freeCounted(ScopeReq) // vars_limits.go
		}
		r.vars[ScopeReq].clear()
	}
}

// ResetProcVars clears the process variables (a new configuration sets
// its own; tests).
func ResetProcVars() {
	procVars.mu.Lock()
	procVars.st.clear()
	procVars.mu.Unlock()
}
