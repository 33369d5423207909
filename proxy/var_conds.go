package proxy

// The conditions of set-var(<name>,<cond>...) and set-var-fmt, as HAProxy
// 2.6's var_set applies them: a variable that does not exist is created
// first (unset) and the value conditions are checked after, so a failed
// ifnotempty still makes the variable exist for a later ifexists. Process
// variables always exist: HAProxy creates those the configuration names
// when it loads it.

// VarCond is a set of set-var conditions.
type VarCond uint16

const (
	VarIfExists    VarCond = 1 << iota // only a variable that exists
	VarIfNotExists                     // only a variable that does not exist yet
	VarIfEmpty                         // only an empty string or binary sample
	VarIfNotEmpty                      // never an empty string or binary sample
	VarIfSet                           // only a variable that holds a value
	VarIfNotSet                        // only a variable that holds none
	VarIfGT                            // integers: only when the variable is greater than the sample
	VarIfLT                            // integers: only when the variable is less than the sample
)

// VarKind is what a sample holds, for the conditions that look at it.
type VarKind uint8

const (
	VarScalar VarKind = iota // a boolean, an address, a method
	VarInt                   // an integer
	VarText                  // a string or binary
)

// StoreVarIf sets variable slot of scope to v (of kind k) when the
// conditions c allow it.
func (r *RequestInfo) StoreVarIf(scope VarScope, slot int, v *Var, c VarCond, k VarKind) {
	if c == 0 {
		r.StoreVar(scope, slot, v)
		return
	}
	if scope == ScopeProc {
		procVars.mu.Lock()
		defer procVars.mu.Unlock()
		if l := r.varLimits(); l != nil && l.Proc > 0 {
			r.storeCounted(l, scope, slot, v, c, k) // vars_limits.go
			return
		}
		storeVarIf(&procVars.st, true, slot, v, c, k)
		return
	}
	if sh := r.shared; sh != nil { // an HTTP/2 stream (vars_shared.go)
		sh.mu.Lock()
		defer sh.mu.Unlock()
	}
	if l := r.varLimits(); l != nil {
		r.storeCounted(l, scope, slot, v, c, k) // vars_limits.go
		return
	}
	storeVarIf(r.storeOf(scope), false, slot, v, c, k)
}

func storeVarIf(st *varStore, always bool, slot int, v *Var, c VarCond, k VarKind) {
	exists := always || (slot < len(st.vals) && st.vals[slot].exists)
	if (exists && c&VarIfNotExists != 0) || (!exists && c&VarIfExists != 0) {
		return
	}
	cur := st.slot(slot)
	cur.exists = true
	if varCondsAllow(cur, v, c, k) {
		storeVar(st, slot, v)
	}
}

// varCondsAllow says whether the value conditions c let v (of kind k)
// replace the variable cur.
func varCondsAllow(cur, v *Var, c VarCond, k VarKind) bool {
	if (c&VarIfSet != 0 && !cur.Set) || (c&VarIfNotSet != 0 && cur.Set) {
		return false
	}
	switch k {
	case VarText:
		if (c&VarIfNotEmpty != 0 && len(v.Bytes) == 0) || (c&VarIfEmpty != 0 && len(v.Bytes) > 0) {
			return false
		}
	case VarInt:
		if c&VarIfEmpty != 0 {
			return false // a scalar is never empty
		}
		if cur.Set && cur.Type == v.Type && ((c&VarIfGT != 0 && !(cur.Int > v.Int)) || (c&VarIfLT != 0 && !(cur.Int < v.Int))) {
			return false
		}
	default:
		if c&VarIfEmpty != 0 {
			return false
		}
	}
	return true
}
