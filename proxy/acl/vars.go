package acl

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Variables: the var() fetch and the set-var, set-var-fmt and unset-var
// actions. A name is "<scope>.<name>"; each distinct name gets a slot in
// its scope's store (proxy/vars.go) when the configuration is compiled.

var varSlots struct {
	mu    sync.Mutex
	slots map[string]int         // "<store>:<name>" -> slot
	next  map[proxy.VarScope]int // next free slot of each store
	procs map[string]bool        // proc names compiled while recording (RecordProcNames)
}

// RecordProcNames records the proc variable names compiled until the
// returned function, which gives them ("proc.<name>"), is called: the
// configuration builder's, under the lock UseUserlists takes.
func RecordProcNames() (names func() map[string]bool) {
	varSlots.mu.Lock()
	varSlots.procs = map[string]bool{}
	varSlots.mu.Unlock()
	return func() map[string]bool {
		varSlots.mu.Lock()
		defer varSlots.mu.Unlock()
		m := varSlots.procs
		varSlots.procs = nil
		return m
	}
}

var scopeStores = map[string]proxy.VarScope{
	"proc": proxy.ScopeProc, "sess": proxy.ScopeSess, "txn": proxy.ScopeTxn,
	"req": proxy.ScopeReq, "res": proxy.ScopeRes,
}

// varRef is a compiled variable name.
type varRef struct {
	scope proxy.VarScope
	slot  int
}

// VarNameError is HAProxy's message for a name without a known scope.
func varNameError(name string) error {
	return fmt.Errorf("invalid variable name '%s'. A variable name must be start by its scope. "+
		"The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", name)
}

// compileVar checks a variable name as HAProxy 2.6 does and gives it its
// slot.
func compileVar(name string) (varRef, error) {
	scope, rest, ok := strings.Cut(name, ".")
	if !ok || rest == "" {
		return varRef{}, varNameError(name)
	}
	if scope == "check" {
		return varRef{}, fmt.Errorf("check-scoped variable '%s' is not supported by goha", name)
	}
	sc, ok := scopeStores[scope]
	if !ok {
		return varRef{}, varNameError(name)
	}
	key := fmt.Sprintf("%d:%s", sc, rest)
	varSlots.mu.Lock()
	defer varSlots.mu.Unlock()
	if varSlots.slots == nil {
		varSlots.slots, varSlots.next = map[string]int{}, map[proxy.VarScope]int{}
	}
	if sc == proxy.ScopeProc && varSlots.procs != nil {
		varSlots.procs[name] = true
	}
	slot, ok := varSlots.slots[key]
	if !ok {
		slot = varSlots.next[sc]
		varSlots.next[sc]++
		varSlots.slots[key] = slot
	}
	return varRef{scope: sc, slot: slot}, nil
}

// toVar is a sample as a variable for StoreVar, which copies it: dst's
// Bytes are v's string, not a copy.
func toVar(v *value, dst *proxy.Var) {
	dst.Type, dst.Int, dst.Set = uint8(v.t), v.i, true
	dst.Bytes = sbytes(v.s)
	dst.Addr = [16]byte{}
	if v.a.IsValid() {
		dst.Addr = v.a.As16()
	}
}

// fromVar is a variable's sample: its string is src's Bytes, not a copy
// (ReadVar made them the transaction's).
func fromVar(src *proxy.Var) value {
	var v value
	fromVarTo(&v, src)
	return v
}

// fromVarTo is fromVar writing into v.
func fromVarTo(v *value, src *proxy.Var) {
	v.set(haproxy.SampleType(src.Type), src.Int, bstr(src.Bytes))
	switch v.t {
	case haproxy.SampleIPv4:
		v.a = netip.AddrFrom16(src.Addr).Unmap()
	case haproxy.SampleIPv6:
		v.a = netip.AddrFrom16(src.Addr)
	}
}

func init() {
	fetches["var"] = fetchDef{out: haproxy.SampleAny, layer4: true, buildOne: fetchVarOne}
}

// first evaluates the expression on the first value its fetch returns
// and calls f with the request and the converted sample; nothing when
// there is none. f takes the request so that it can be bound once, when
// the rule is compiled (a closure over r would be made per evaluation).
func (e *Expr) first(r *proxy.RequestInfo, f func(r *proxy.RequestInfo, v *value)) {
	if e.one != nil {
		e.firstOne(r, f)
		return
	}
	t := push(r)
	t.r, t.steps, t.f = r, e.steps, f
	e.fetch(r, t.firstYield)
	pop(r, t)
}

// CompileSetVar compiles `set-var(<name>) <expr>`: the rule stores the
// expression's sample, typed, and leaves the variable as it was when the
// expression has none (HAProxy's action_store). The conditions after
// the name (ifexists, ...) decide whether it is stored (var_conds.go).
func CompileSetVar(name string, conds []string, expr haproxy.Sample) (func(*proxy.RequestInfo), error) {
	c := varConds(conds)
	ref, err := compileVar(name)
	if err != nil {
		return nil, err
	}
	e, err := CompileExpr(expr)
	if err != nil {
		return nil, err
	}
	store := func(r *proxy.RequestInfo, v *value) {
		var tmp proxy.Var
		toVar(v, &tmp)
		r.StoreVarIf(ref.scope, ref.slot, &tmp, c, varKind(v.t))
	}
	return func(r *proxy.RequestInfo) { e.first(r, store) }, nil
}

// CompileSetVarFmt compiles `set-var-fmt(<name>) <fmt>`: the rule stores
// the log-format string's text as a str sample.
func CompileSetVarFmt(name string, conds []string, format string) (func(*proxy.RequestInfo), error) {
	c := varConds(conds)
	ref, err := compileVar(name)
	if err != nil {
		return nil, err
	}
	f, err := CompileFormat(format)
	if err != nil {
		return nil, err
	}
	return func(r *proxy.RequestInfo) {
		s := f(r) // StoreVarIf copies it
		r.StoreVarIf(ref.scope, ref.slot, &proxy.Var{Type: uint8(haproxy.SampleStr), Bytes: sbytes(s)}, c, proxy.VarText)
	}, nil
}

// CompileUnsetVar compiles `unset-var(<name>)`.
func CompileUnsetVar(name string) (func(*proxy.RequestInfo), error) {
	ref, err := compileVar(name)
	if err != nil {
		return nil, err
	}
	return func(r *proxy.RequestInfo) { r.UnsetVar(ref.scope, ref.slot) }, nil
}

// SetProcVar runs `set-var <name> <expr>` of the global section once, at
// start: only constant fetches have a value then.
func SetProcVar(name string, expr haproxy.Sample) error {
	run, err := CompileSetVar(name, nil, expr)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(name, "proc.") {
		return fmt.Errorf("only proc-scoped variables may be set in the global section")
	}
	run(proxy.NewRequestInfo(netip.AddrPort{}, nil))
	return nil
}
