package acl

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Integer, boolean and address converters (HAProxy 2.6 sample.c): the
// arithmetic saturates at the int64 bounds instead of wrapping, division
// by zero gives the largest integer and modulo by zero gives 0, as
// HAProxy computes them.
func init() {
	sint, boolean, str := haproxy.SampleSInt, haproxy.SampleBool, haproxy.SampleStr
	op := func(f func(a, b int64) int64) convDef {
		return convDef{in: sint, out: sint, args: []argKind{argStr}, min: 1, rbuild: buildOperator(f), keep: true}
	}
	unary := func(out haproxy.SampleType, f func(int64) int64) convDef {
		// neg and cpl leave the type (a bool stays a bool), the others
		// return a bool.
		return convDef{in: sint, out: out, keep: out == sint, build: fixed(func(v *value) bool { v.i = f(v.i); return true })}
	}
	register(map[string]convDef{
		"add": op(arithAdd),
		"sub": op(arithSub),
		"mul": op(arithMul),
		"div": op(arithDiv),
		"mod": op(arithMod),
		"and": op(func(a, b int64) int64 { return a & b }),
		"or":  op(func(a, b int64) int64 { return a | b }),
		"xor": op(func(a, b int64) int64 { return a ^ b }),
		"neg": unary(sint, func(a int64) int64 {
			if a == math.MinInt64 {
				return math.MaxInt64
			}
			return -a
		}),
		"cpl":  unary(sint, func(a int64) int64 { return ^a }),
		"bool": unary(boolean, func(a int64) int64 { return b2i(a != 0) }),
		"not":  unary(boolean, func(a int64) int64 { return b2i(a == 0) }),
		"odd":  unary(boolean, func(a int64) int64 { return a & 1 }),
		"even": unary(boolean, func(a int64) int64 { return b2i(a&1 == 0) }),

		"ipmask":    {in: haproxy.SampleAddr, out: haproxy.SampleIPv4, args: []argKind{argStr, argStr}, min: 1, build: buildIPMask},
		"http_date": {in: sint, out: str, args: []argKind{argSInt, argStr}, build: buildHTTPDate},
	})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// varScopes are the prefixes of HAProxy's variable names.
var varScopes = []string{"proc.", "sess.", "txn.", "req.", "res.", "check."}

// buildOperator reads the operand of an arithmetic or bitwise converter
// as HAProxy's check_operator does: a whole integer (read_int64), else a
// variable name, read as an integer per request (no sample when it is not
// set or does not cast).
func buildOperator(f func(a, b int64) int64) func(convArgs) (convFunc, reqConvFunc, error) {
	return func(a convArgs) (convFunc, reqConvFunc, error) {
		s := a.strs[0]
		for _, p := range varScopes {
			if strings.HasPrefix(s, p) {
				ref, err := compileVar(s)
				if err != nil {
					return nil, nil, err
				}
				return nil, func(r *proxy.RequestInfo, v *value) bool {
					w, ok := loadVarAs(r, ref, haproxy.SampleSInt)
					if ok {
						v.i = f(v.i, w.i)
					}
					return ok
				}, nil
			}
		}
		if !wholeInt(s) {
			return nil, nil, fmt.Errorf("expects an integer or a variable name")
		}
		n := readInt64(s)
		return func(v *value) bool { v.i = f(v.i, n); return true }, nil, nil
	}
}

// wholeInt says whether read_int64 consumes all of s (an optional sign and
// digits; "" and "-" are 0 for HAProxy too).
func wholeInt(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// arithAdd is HAProxy's arith_add, capped at the int64 bounds, with its
// quirk kept: for two negative operands the second check computes
// MaxInt64-a, which wraps, so that -7 + -3 gives MaxInt64 in HAProxy 2.6
// (sub(3) of -7 too). Checked by TestConverterDifferential.
func arithAdd(a, b int64) int64 {
	if (a ^ b) >= 0 {
		if a < 0 && math.MinInt64-a > b {
			return math.MinInt64
		}
		if math.MaxInt64-a < b {
			return math.MaxInt64
		}
	}
	return a + b
}

func arithSub(a, b int64) int64 {
	if b == math.MinInt64 {
		r := arithAdd(a, math.MaxInt64)
		if r < math.MaxInt64 {
			r++
		}
		return r
	}
	return arithAdd(a, -b)
}

func arithMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a == math.MinInt64 && b == -1 {
		return math.MaxInt64
	}
	c := a * b
	if c/b != a {
		if (a < 0) == (b < 0) {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return c
}

func arithDiv(a, b int64) int64 {
	if b == 0 {
		return math.MaxInt64
	}
	if a == math.MinInt64 && b == -1 {
		return math.MaxInt64
	}
	return a / b
}

func arithMod(a, b int64) int64 {
	if b == 0 || a == math.MinInt64 && b == -1 {
		return 0
	}
	return a % b
}

// buildIPMask is ipmask(<mask4>[,<mask6>]): a mask is a prefix length or
// an address. An IPv4-mapped IPv6 input is masked as IPv4; another IPv6
// input needs mask6, else there is no sample.
func buildIPMask(a convArgs) (convFunc, error) {
	m4, err := parseMask(a.strs[0], false)
	if err != nil {
		return nil, fmt.Errorf("failed to parse '%s' as type 'IPv4 mask'", a.strs[0])
	}
	var m6 netip.Addr
	if a.has(1) {
		if m6, err = parseMask(a.strs[1], true); err != nil {
			return nil, fmt.Errorf("failed to parse '%s' as type 'IPv6 mask'", a.strs[1])
		}
	}
	return func(v *value) bool {
		if v.t == haproxy.SampleIPv6 && v.a.Is4In6() {
			v.a, v.t = v.a.Unmap(), haproxy.SampleIPv4
		}
		if v.t == haproxy.SampleIPv4 {
			v.a = andAddr(v.a, m4)
			return true
		}
		if !m6.IsValid() {
			return false
		}
		v.a = andAddr(v.a, m6)
		return true
	}, nil
}

// parseMask reads a mask as a length ("24") or an address ("255.255.0.0").
func parseMask(s string, v6 bool) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Is6() == v6 {
		return a, nil
	}
	bits := 32
	if v6 {
		bits = 128
	}
	if !wholeInt(s) || s == "" || s[0] == '-' || s[0] == '+' {
		return netip.Addr{}, fmt.Errorf("mask %q", s)
	}
	n := readInt64(s)
	if n > int64(bits) {
		return netip.Addr{}, fmt.Errorf("mask %q", s)
	}
	b := make([]byte, bits/8)
	for i := 0; i < int(n); i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a, nil
}

func andAddr(a, m netip.Addr) netip.Addr {
	if a.Is4() {
		x, y := a.As4(), m.As4()
		for i := range x {
			x[i] &= y[i]
		}
		return netip.AddrFrom4(x)
	}
	x, y := a.As16(), m.As16()
	for i := range x {
		x[i] &= y[i]
	}
	return netip.AddrFrom16(x)
}

// buildHTTPDate is http_date([<offset>[,<unit>]]): the date of a number of
// seconds since the epoch plus offset (then masked to 55 bits, as HAProxy
// does, so that a negative date is far in the future) in the IMF-fixdate form of HTTP,
// always in GMT. With the unit "ms" or "us" the input and the offset count
// that unit, and the remainder follows the seconds.
func buildHTTPDate(a convArgs) (convFunc, error) {
	div := int64(1)
	if a.has(1) {
		switch a.strs[1] {
		case "s":
		case "ms":
			div = 1000
		case "us":
			div = 1000000
		default:
			return nil, fmt.Errorf("Invalid unit '%s'. Accepted values are 's', 'ms' and 'us'", a.strs[1])
		}
	}
	off := a.ints[0]
	return func(v *value) bool {
		// ms and us: the date, then "." and the remainder as %d (C's
		// truncated remainder, no padding), as HAProxy prints them
		n := v.i + off
		frac := n % div
		t := (n / div) & 0x007fffffffffffff
		d := time.Unix(t, 0).UTC()
		if div == 1 {
			v.s = d.Format("Mon, 02 Jan 2006 15:04:05 GMT")
		} else {
			v.s = d.Format("Mon, 02 Jan 2006 15:04:05") + "." + strconv.FormatInt(frac, 10) + " GMT"
		}
		return true
	}, nil
}
