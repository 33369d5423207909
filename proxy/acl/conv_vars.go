package acl

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Converters that read or write variables (HAProxy 2.6 vars.c and
// sample.c): set-var and unset-var pass the sample on; strcmp and
// secure_memcmp compare it with a variable; concat and the arithmetic
// converters take a variable as an operand (conv_str.go, conv_num.go).
func init() {
	register(map[string]convDef{
		"set-var":       {in: haproxy.SampleAny, out: haproxy.SampleAny, args: []argKind{argStr}, min: 1, keep: true, rbuild: buildSetVarConv},
		"unset-var":     {in: haproxy.SampleAny, out: haproxy.SampleAny, args: []argKind{argStr}, min: 1, keep: true, rbuild: buildUnsetVarConv},
		"strcmp":        {in: haproxy.SampleStr, out: haproxy.SampleSInt, args: []argKind{argStr}, min: 1, rbuild: buildStrcmp},
		"secure_memcmp": {in: haproxy.SampleBin, out: haproxy.SampleBool, args: []argKind{argStr}, min: 1, rbuild: buildSecureMemcmp},
	})
}

// loadVar reads a variable as a sample; false when it is not set.
func loadVar(r *proxy.RequestInfo, ref varRef) (value, bool) {
	if r == nil {
		return value{}, false
	}
	var tmp proxy.Var
	if !r.ReadVar(ref.scope, ref.slot, &tmp) {
		return value{}, false
	}
	return fromVar(&tmp), true
}

// loadVarAs reads a variable cast to type t (HAProxy's
// sample_conv_var2smp): false when it is not set or does not cast.
func loadVarAs(r *proxy.RequestInfo, ref varRef, t haproxy.SampleType) (value, bool) {
	v, ok := loadVar(r, ref)
	if !ok {
		return v, false
	}
	return v, v.t == t || v.cast(t)
}

// argVar compiles a converter's variable argument, with HAProxy's
// message for a name it cannot register.
func argVar(name string) (varRef, error) {
	ref, err := compileVar(name)
	if err != nil {
		if strings.Contains(err.Error(), "not supported by goha") {
			return ref, err
		}
		return ref, fmt.Errorf("failed to register variable name '%s'", name)
	}
	return ref, nil
}

func buildSetVarConv(a convArgs) (convFunc, reqConvFunc, error) {
	ref, err := compileVar(a.strs[0])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		if r != nil {
			var tmp proxy.Var
			toVar(v, &tmp)
			r.StoreVar(ref.scope, ref.slot, &tmp)
		}
		return true
	}, nil
}

func buildUnsetVarConv(a convArgs) (convFunc, reqConvFunc, error) {
	ref, err := compileVar(a.strs[0])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		if r != nil {
			r.UnsetVar(ref.scope, ref.slot)
		}
		return true
	}, nil
}

// buildStrcmp is strcmp(<var>): the sample compared with the variable as
// C's strncmp over the shorter length, then the shorter one first.
func buildStrcmp(a convArgs) (convFunc, reqConvFunc, error) {
	ref, err := argVar(a.strs[0])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		w, ok := loadVarAs(r, ref, haproxy.SampleStr)
		if !ok {
			return false
		}
		v.i = int64(strncmp(v.s, w.s))
		return true
	}, nil
}

// strncmp is glibc's strncmp(a, b, min(len)) (the difference of the first
// differing bytes, stopping at a NUL), then -1/1 by length when equal.
func strncmp(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
		if a[i] == 0 {
			return 0
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// buildSecureMemcmp is secure_memcmp(<var>): true when the sample and the
// variable are the same bytes, compared in constant time.
func buildSecureMemcmp(a convArgs) (convFunc, reqConvFunc, error) {
	ref, err := argVar(a.strs[0])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		w, ok := loadVarAs(r, ref, haproxy.SampleBin)
		if !ok {
			return false
		}
		v.i = b2i(len(v.s) == len(w.s) && subtle.ConstantTimeCompare([]byte(v.s), []byte(w.s)) == 1)
		return true
	}, nil
}
