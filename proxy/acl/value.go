package acl

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// value is one typed sample, as HAProxy carries it between a fetch, its
// converters and a matcher: bool and sint in i (a bool is 0 or 1, as in
// HAProxy where it is an integer), str, bin and meth in s (a Go string
// holds any bytes), ipv4 and ipv6 in a.
type value struct {
	t haproxy.SampleType
	i int64
	s string
	a netip.Addr
}

// castFunc converts v in place to another type; false is HAProxy's failed
// cast: the sample is gone ("no sample").
type castFunc func(v *value) bool

// casts is HAProxy 2.6's implicit cast matrix (sample.c sample_casts),
// casts[from][to]; nil is an impossible cast, refused when the expression
// is compiled ("converter 'x' cannot be applied"). castNone is HAProxy's
// c_none, which leaves the type as it was: bool stays bool when a sint
// converter reads it (so bool(true),add(1),hex gives 1 through bool->bin,
// as HAProxy 2.6.12 does), str stays str when a bin converter reads it.
// SampleAddr is a destination only (ipmask's input: either address
// family). bool->bin exists in 2.6.12 (c_bool2bin).
var casts = [...][9]castFunc{
	haproxy.SampleBool: {
		haproxy.SampleBool: castNone, haproxy.SampleSInt: castNone,
		haproxy.SampleStr: intToStr, haproxy.SampleBin: boolToBin,
	},
	haproxy.SampleSInt: {
		haproxy.SampleBool: castNone, haproxy.SampleSInt: castNone,
		haproxy.SampleAddr: intToIPv4, haproxy.SampleIPv4: intToIPv4, haproxy.SampleIPv6: intToIPv6,
		haproxy.SampleStr: intToStr, haproxy.SampleBin: intToBin,
	},
	haproxy.SampleIPv4: {
		haproxy.SampleSInt: ipv4ToInt, haproxy.SampleAddr: castNone, haproxy.SampleIPv4: castNone,
		haproxy.SampleIPv6: ipv4ToIPv6, haproxy.SampleStr: addrToStr, haproxy.SampleBin: addrToBin,
	},
	haproxy.SampleIPv6: {
		haproxy.SampleAddr: castNone, haproxy.SampleIPv4: ipv6ToIPv4, haproxy.SampleIPv6: castNone,
		haproxy.SampleStr: addrToStr, haproxy.SampleBin: addrToBin,
	},
	haproxy.SampleStr: {
		haproxy.SampleBool: strToInt, haproxy.SampleSInt: strToInt, haproxy.SampleAddr: strToAddr,
		haproxy.SampleIPv4: strToIPv4, haproxy.SampleIPv6: strToIPv6, haproxy.SampleStr: castNone,
		haproxy.SampleBin: castNone, haproxy.SampleMeth: toType(haproxy.SampleMeth),
	},
	haproxy.SampleBin: {
		haproxy.SampleStr: binToStr, haproxy.SampleBin: castNone, haproxy.SampleMeth: toType(haproxy.SampleMeth),
	},
	haproxy.SampleMeth: {
		haproxy.SampleStr: toType(haproxy.SampleStr), haproxy.SampleBin: toType(haproxy.SampleBin),
		haproxy.SampleMeth: castNone,
	},
	haproxy.SampleAddr: {},
}

// castOf is the cast from one type to another, nil when HAProxy has none.
func castOf(from, to haproxy.SampleType) castFunc {
	if int(from) >= len(casts) || int(to) >= len(casts[from]) {
		return nil
	}
	return casts[from][to]
}

// cast converts v to type to; false when the cast fails or does not exist.
func (v *value) cast(to haproxy.SampleType) bool {
	if v.t == to && sameTypeNone(to) {
		return true // without the call (TestSameTypeCasts)
	}
	c := castOf(v.t, to)
	return c != nil && c(v)
}

func castNone(*value) bool { return true }

// sameTypeNone: casts[t][t] is castNone (every type a value has; not any
// nor addr, which have no cast to themselves).
func sameTypeNone(t haproxy.SampleType) bool {
	return t >= haproxy.SampleBool && t <= haproxy.SampleMeth
}

// toType is a cast that keeps the data and changes the type (HAProxy's
// c_none between types sharing a representation).
func toType(t haproxy.SampleType) castFunc {
	return func(v *value) bool { v.t = t; return true }
}

func intToStr(v *value) bool {
	v.s, v.t = strconv.FormatInt(v.i, 10), haproxy.SampleStr
	return true
}

// intToIPv4 takes the low 32 bits as an address in host order (c_int2ip).
func intToIPv4(v *value) bool {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v.i))
	v.a, v.t = netip.AddrFrom4(b), haproxy.SampleIPv4
	return true
}

// intToIPv6 is intToIPv4 then the IPv4-mapped IPv6 address (c_int2ipv6).
func intToIPv6(v *value) bool {
	intToIPv4(v)
	return ipv4ToIPv6(v)
}

// intToBin is the 8 bytes of the integer in network order (c_int2bin).
func intToBin(v *value) bool {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v.i))
	v.s, v.t = string(b[:]), haproxy.SampleBin
	return true
}

// boolToBin is the 8 bytes of 0 or 1 (c_bool2bin).
func boolToBin(v *value) bool {
	v.i = b2i(v.i != 0)
	return intToBin(v)
}

func ipv4ToInt(v *value) bool {
	b := v.a.As4()
	v.i, v.t = int64(binary.BigEndian.Uint32(b[:])), haproxy.SampleSInt
	return true
}

func ipv4ToIPv6(v *value) bool {
	v.a, v.t = netip.AddrFrom16(v.a.As16()), haproxy.SampleIPv6
	return true
}

// ipv6ToIPv4 succeeds for IPv4-mapped addresses only (HAProxy's v6tov4).
func ipv6ToIPv4(v *value) bool {
	if !v.a.Is4In6() {
		return false
	}
	v.a, v.t = v.a.Unmap(), haproxy.SampleIPv4
	return true
}

func addrToStr(v *value) bool {
	v.s, v.t = v.a.String(), haproxy.SampleStr
	return true
}

func addrToBin(v *value) bool {
	if v.t == haproxy.SampleIPv4 {
		b := v.a.As4()
		v.s = string(b[:])
	} else {
		b := v.a.As16()
		v.s = string(b[:])
	}
	v.t = haproxy.SampleBin
	return true
}

// strToInt reads a leading integer as HAProxy's read_int64: an optional
// sign, then digits up to the first other byte, saturated at the int64
// bounds ("12abc" is 12, "abc" is 0). An empty string has no value.
func strToInt(v *value) bool {
	if v.s == "" {
		return false
	}
	v.i, v.t = readInt64(v.s), haproxy.SampleSInt
	return true
}

// readInt64 is HAProxy's read_int64 over a whole string.
func readInt64(s string) int64 {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	var u uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if u > (^uint64(0)-d)/10 {
			u = ^uint64(0)
			break
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return -1 << 63
		}
		return -int64(u)
	}
	if u > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(u)
}

// strToAddr reads an IPv4 address, else an IPv6 one (c_str2addr).
func strToAddr(v *value) bool {
	return strToIPv4(v) || strToIPv6(v)
}

// strToIPv4 is c_str2ip: HAProxy's buf2ip reads four decimal octets
// (leading zeros allowed) up to the first byte that is neither a digit
// nor a dot, and ignores the rest ("1.2.3.4:80", "01.2.3.4x").
func strToIPv4(v *value) bool {
	a, _, ok := leadingIPv4(v.s)
	if !ok {
		return false
	}
	v.a, v.t = a, haproxy.SampleIPv4
	return true
}

func strToIPv6(v *value) bool {
	a, err := netip.ParseAddr(v.s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return false
	}
	v.a, v.t = a, haproxy.SampleIPv6
	return true
}

// binToStr stops the string at the first NUL byte (c_bin2str).
func binToStr(v *value) bool {
	if i := strings.IndexByte(v.s, 0); i >= 0 {
		v.s = v.s[:i]
	}
	v.t = haproxy.SampleStr
	return true
}

// text is the value as the string matchers read it: v cast to str.
func (v *value) text() (string, bool) {
	if v.t == haproxy.SampleStr {
		return v.s, true // casts[str][str] is castNone: no call
	}
	if !v.cast(haproxy.SampleStr) {
		return "", false
	}
	return v.s, true
}

// fromText is a fetch's value of type t read from the text the fetch
// produced; false when it has no value of that type.
func fromText(t haproxy.SampleType, s string) (value, bool) {
	v := value{t: haproxy.SampleStr, s: s}
	switch t {
	case haproxy.SampleStr, haproxy.SampleAny:
		return v, true
	case haproxy.SampleBin, haproxy.SampleMeth:
		v.t = t
		return v, true
	case haproxy.SampleSInt, haproxy.SampleBool:
		n, err := strconv.ParseInt(s, 10, 64)
		return value{t: t, i: n}, err == nil
	case haproxy.SampleIPv4, haproxy.SampleIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return v, false
		}
		if a.Is4() {
			return value{t: haproxy.SampleIPv4, a: a}, true
		}
		return value{t: haproxy.SampleIPv6, a: a}, true
	}
	return v, false
}
