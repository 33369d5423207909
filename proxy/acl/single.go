package acl

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// Most fetches the rules of a busy frontend read have one value at most
// (path, method, src, a variable, a header's last occurrence, a header
// count). Those are written once, as a oneFunc, and their fetchFunc is
// made from it (yieldOne); an expression or an ACL over one of them (and
// no post step) also keeps the oneFunc and evaluates it directly: the
// value stays in the caller's frame, without a frame of the stack
// (frames.go) or a yield callback. The outcome is the yielding
// evaluation's: its first (only) value decides.

// oneFunc reads a sample with at most one value into v and reports true,
// or false for "no sample" (v is then left as it was or partly written).
// Its strings follow fetchFunc's rules (valid during the evaluation
// only). The value is written where the evaluation keeps it, a frame of
// the request's stack: a value of the caller's, handed to converters and
// matchers it cannot see, would escape to the heap on every request.
type oneFunc func(r *proxy.RequestInfo, v *value) bool

// yieldOne is the fetchFunc of f.
func yieldOne(f oneFunc) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		t := push(r)
		ok := f(r, &t.v) && yield(t.v)
		pop(r, t)
		return ok
	}
}

// set writes a value's fields one by one: a whole-struct copy of a
// value built in registers is spilled and reloaded in blocks the
// processor cannot forward from the smaller stores. No address: v.a is
// zeroed, as a new value's.
func (v *value) set(t haproxy.SampleType, i int64, s string) {
	v.t, v.i, v.s, v.a = t, i, s, netip.Addr{}
}

// noArgsOne is the builder of a single-valued fetch without arguments.
func noArgsOne(f oneFunc) func([]haproxy.Arg) (oneFunc, error) {
	return func([]haproxy.Arg) (oneFunc, error) { return f, nil }
}

func onePath(r *proxy.RequestInfo, v *value) bool {
	if r.Target == nil {
		return false
	}
	p, ok := pathOf(bstr(r.Target))
	v.set(haproxy.SampleStr, 0, p)
	return ok
}

func oneURL(r *proxy.RequestInfo, v *value) bool {
	v.set(haproxy.SampleStr, 0, bstr(r.Target))
	return r.Target != nil
}

func oneQuery(r *proxy.RequestInfo, v *value) bool {
	_, q, ok := strings.Cut(bstr(r.Target), "?")
	v.set(haproxy.SampleStr, 0, q)
	return ok
}

func oneMethod(r *proxy.RequestInfo, v *value) bool {
	v.set(haproxy.SampleMeth, 0, bstr(r.Method))
	return r.Method != nil
}

func oneSrc(r *proxy.RequestInfo, v *value) bool {
	a, t, ok := addrTyped(r.Src)
	if !ok {
		return false
	}
	v.set(t, 0, "")
	v.a = a
	return true
}

// fetchVarOne is var(<name>[,<default>]): the variable's sample with its
// type, else the default as a string, else no sample.
func fetchVarOne(args []haproxy.Arg) (oneFunc, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("expects a variable name and an optional default")
	}
	ref, err := compileVar(args[0].Str)
	if err != nil {
		return nil, err
	}
	def, hasDef := "", len(args) == 2
	if hasDef {
		def = args[1].Str
	}
	return func(r *proxy.RequestInfo, v *value) bool {
		var tmp proxy.Var
		if r.ReadVar(ref.scope, ref.slot, &tmp) {
			fromVarTo(v, &tmp)
			return true
		}
		v.set(haproxy.SampleStr, 0, def)
		return hasDef
	}, nil
}

// headerName is the name argument of a header fetch, as headerFetch
// takes it.
func headerName(args []haproxy.Arg) string {
	if len(args) > 0 {
		return strings.ToLower(strings.TrimSpace(args[0].Str))
	}
	return ""
}

// lastHeaderFetch is the fetch of a request header's last occurrence (no
// occurrence argument; name as headerFetch takes it): what headerFetch's
// fetch yields last, found from the end. The last field named name gives
// its last comma-separated value trimmed (split) or its whole line; no
// field named host gives the last value of the absolute target's
// authority, as forEachValue does.
func lastHeaderFetch(split bool) func(args []haproxy.Arg) (oneFunc, error) {
	return func(args []haproxy.Arg) (oneFunc, error) {
		if len(args) > 1 {
			return nil, fmt.Errorf("occurrence %q", args[1].Str) // (never: compileParts asks with one)
		}
		name := headerName(args)
		return func(r *proxy.RequestInfo, v *value) bool {
			hs := r.Headers()
			for i := len(hs) - 1; i >= 0; i-- {
				if name == "" || http1.EqualFold(hs[i].Name, name) {
					v.set(haproxy.SampleStr, 0, lastValue(bstr(hs[i].Value), split))
					return true
				}
			}
			if name == "host" && r.Authority() != nil {
				v.set(haproxy.SampleStr, 0, lastValue(bstr(hostFor(r)), split))
				return true
			}
			return false
		}, nil
	}
}

// headerCount is the builder of the request's header counts (hdr_cnt,
// fhdr_cnt: no occurrence argument): how many values forEachValue gives.
func headerCount(split bool) func(args []haproxy.Arg) (oneFunc, error) {
	return func(args []haproxy.Arg) (oneFunc, error) {
		switch {
		case len(args) > 2:
			return nil, fmt.Errorf("occurrence %q", args[1].Str)
		case len(args) == 2:
			return nil, fmt.Errorf("no occurrence argument")
		}
		name := headerName(args)
		return func(r *proxy.RequestInfo, v *value) bool {
			n := 0
			forEachValue(r, name, split, func(string) bool { n++; return false })
			v.set(haproxy.SampleSInt, int64(n), "")
			return true
		}, nil
	}
}

// firstOne is Expr.first on a single-valued fetch.
func (e *Expr) firstOne(r *proxy.RequestInfo, f func(r *proxy.RequestInfo, v *value)) {
	t := push(r)
	if e.one(r, &t.v) && run(r, e.steps, &t.v) {
		f(r, &t.v)
	}
	pop(r, t)
}

// appendOne is Expr.AppendText on a single-valued fetch; plain says the
// text is digits or an address, which no header encoding changes
// (format.append skips its check).
func (e *Expr) appendOne(dst []byte, r *proxy.RequestInfo) (out []byte, ok, plain bool) {
	t := push(r)
	ok = e.one(r, &t.v) && run(r, e.steps, &t.v)
	if ok {
		switch t.v.t {
		case haproxy.SampleIPv4, haproxy.SampleIPv6:
			if st := t.stack; st != nil {
				dst = st.appendAddr(dst, t.v.a) // %[src]: its text kept
			} else {
				dst, _ = appendText(dst, &t.v)
			}
			plain = t.v.a.Zone() == "" // (a zone's name is any text)
		case haproxy.SampleBool, haproxy.SampleSInt:
			dst, _ = appendText(dst, &t.v)
			plain = true
		default:
			dst, ok = appendText(dst, &t.v)
		}
	}
	pop(r, t)
	return dst, ok, plain
}

// textOne is Expr.Text on a single-valued fetch.
func (e *Expr) textOne(r *proxy.RequestInfo) (string, bool) {
	t := push(r)
	var s string
	ok := e.one(r, &t.v) && run(r, e.steps, &t.v)
	if ok {
		if s, ok = t.v.text(); ok {
			s = strings.Clone(s) // it may alias the request
		}
	}
	pop(r, t)
	return s, ok
}

// matchOne is acl.Match on a single-valued fetch.
func (a *acl) matchOne(r *proxy.RequestInfo) bool {
	t := push(r)
	v := &t.v
	// matchValue, written out: a condition's commonest path
	ok := a.one(r, v) && run(r, a.steps, v) &&
		(a.matchType == haproxy.SampleAny || v.t == a.matchType || v.cast(a.matchType)) &&
		a.match.Load().test(v)
	pop(r, t)
	return ok
}
