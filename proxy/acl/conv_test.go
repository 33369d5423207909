package acl

import (
	"encoding/hex"
	"math"
	"net/netip"
	"strconv"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// convert runs chain (",conv(args),...") on in and returns the result as
// text (hex for bin), or ok false for "no sample".
func convert(t *testing.T, in value, chain string) (string, bool) {
	t.Helper()
	steps, _, err := compileConverters(in.t, haproxy.ParseSample("x"+chain).Converters)
	if err != nil {
		t.Fatalf("%s: %v", chain, err)
	}
	v := in
	if !run(nil, steps, &v) {
		return "", false
	}
	if v.t == haproxy.SampleBin {
		return hex.EncodeToString([]byte(v.s)), true
	}
	return v.text()
}

func str(s string) value  { return value{t: haproxy.SampleStr, s: s} }
func sint(n int64) value  { return value{t: haproxy.SampleSInt, i: n} }
func addr(s string) value { a := netip.MustParseAddr(s); return value{t: typeOf(a), a: a} }

func typeOf(a netip.Addr) haproxy.SampleType {
	if a.Is4() {
		return haproxy.SampleIPv4
	}
	return haproxy.SampleIPv6
}

const none = "<no sample>"

// TestConverters: HAProxy 2.6's documented examples and edge cases of
// each converter (the same results as the real HAProxy: see
// proxy/haproxycfg TestConverterDifferential).
func TestConverters(t *testing.T) {
	max, min := strconv.FormatInt(math.MaxInt64, 10), strconv.FormatInt(math.MinInt64, 10)
	tests := []struct {
		in    value
		chain string
		want  string
	}{
		{str("AbC-é"), ",lower", "abc-é"}, // ASCII letters only
		{str("AbC"), ",upper", "ABC"},
		{str(""), ",length", "0"},
		{str("abcdef"), ",bytes(2)", "cdef"}, // a str stays a str (HAProxy's c_none)
		{value{t: haproxy.SampleBin, s: "abcdef"}, ",bytes(2,3)", "636465"},
		{str("abc"), ",bytes(3)", ""},
		// found by TestConverterFuzzDifferential (HAProxy 2.6.12's answers)
		{str("é"), ",regsub(^.,X)", "X\xa9"},           // a character is a byte (PCRE without UTF)
		{str("☃"), ",regsub([^a-z],)", "\x98\x83"},     // the first byte only
		{str("01.2.3.4"), ",ipmask(8)", "1.0.0.0"},     // buf2ip: leading zeros
		{str("1.2.3.4x"), ",ipmask(32)", "1.2.3.4"},    // and what follows the fourth octet
		{str("abc"), ",bytes(1,)", ""},                 // an empty last integer is 0
		{str("a;b;c"), ",field(1,;,)", "a;b;c"},        // count 0: the rest
		{str("abc"), ",xxh3()", "8696274497037089104"}, // xxh3(0)
		{str("a\"b"), ",json", "a\\\"b"},               // no argument is ascii
		{sint(1500), ",http_date(0,ms)", "Thu, 01 Jan 1970 00:00:01.500 GMT"},
		{sint(1005), ",http_date(0,ms)", "Thu, 01 Jan 1970 00:00:01.5 GMT"}, // %d, no padding
		{sint(2000001), ",http_date(0,us)", "Thu, 01 Jan 1970 00:00:02.1 GMT"},
		{sint(86400 * 10), ",utime(%U %W)", "02 01"},
		{str("abcdef"), ",bytes(2,-1)", "cdef"},      // a negative length is ignored
		{str("abcdef"), ",bytes(-1),length", "0"},    // a negative offset is past the end
		{str("abcabc"), ",regsub(^a,X,g)", "Xbcabc"}, // REG_NOTBOL after the first round
		{str("abcabc"), ",regsub(^,X,g)", "Xabcabc"},
		{str("abc"), ",regsub(\\A.,X,g)", "XXX"},          // \A is not '^'
		{str("a[^]b^"), ",regsub([]^]|^a,X,g)", "X[XXbX"}, // HAProxy 2.6.12's answer
		// field/word: the examples of HAProxy's manual
		{str("f1_f2_f3__f5"), ",field(4,_)", ""},
		{str("f1_f2_f3__f5"), ",field(5,_)", "f5"},
		{str("f1_f2_f3__f5"), ",field(2,_,0)", "f2_f3__f5"},
		{str("f1_f2_f3__f5"), ",field(2,_,2)", "f2_f3"},
		{str("f1_f2_f3__f5"), ",field(-2,_,3)", "f2_f3_"},
		{str("f1_f2_f3__f5"), ",field(-3,_,0)", "f1_f2_f3"},
		{str("f1_f2_f3__f5"), ",field(6,_)", none},
		{str("f1_f2_f3__f5"), ",word(4,_)", "f5"},
		{str("f1_f2_f3__f5"), ",word(2,_,0)", "f2_f3__f5"},
		{str("f1_f2_f3__f5"), ",word(3,_,2)", "f3__f5"},
		{str("f1_f2_f3__f5"), ",word(-2,_,3)", "f1_f2_f3"},
		{str("f1_f2_f3__f5"), ",word(-3,_,0)", "f1_f2"},
		{str("f1_f2_f3__f5"), ",word(5,_)", ""},
		{str("a.b.c"), `,regsub(\.,_,g)`, "a_b_c"},
		{str("a.b.c"), `,regsub(\.,_)`, "a_b.c"},
		{str("xxa"), ",regsub(x*,-,g)", "--a-"}, // empty matches as HAProxy walks them
		{str("ab"), `,regsub((a)(b),\2\1)`, "ba"},
		{str("abc"), ",concat(<,,>)", "abc<>"},
		// arithmetic: saturated, HAProxy's results for / 0 and % 0
		{sint(7), ",add(3)", "10"},
		{sint(math.MaxInt64), ",add(1)", max},
		{sint(math.MinInt64), ",add(-1)", min},
		{sint(-7), ",add(-3)", max}, // HAProxy 2.6's arith_add wraps its check
		{sint(-7), ",sub(-3)", "-4"},
		{sint(5), ",sub(-9223372036854775808)", max},
		{sint(7), ",div(0)", max},
		{sint(math.MinInt64), ",div(-1)", max},
		{sint(-7), ",div(2)", "-3"},
		{sint(7), ",mod(0)", "0"},
		{sint(-7), ",mod(3)", "-1"},
		{sint(math.MaxInt64), ",mul(2)", max},
		{sint(math.MaxInt64), ",mul(-2)", min},
		{sint(math.MinInt64), ",neg", max},
		{sint(5), ",neg", "-5"},
		{sint(5), ",cpl", "-6"},
		{sint(6), ",and(3)", "2"},
		{sint(6), ",or(1)", "7"},
		{sint(6), ",xor(5)", "3"},
		{sint(6), ",bool", "1"},
		{sint(0), ",bool", "0"},
		{sint(0), ",not", "1"},
		{sint(-3), ",odd", "1"},
		{sint(-3), ",even", "0"},
		// casts on the way in
		{str("12abc"), ",add(1)", "13"},
		{str("abc"), ",add(1)", "1"},
		{str(""), ",add(1)", none},
		{str("-99999999999999999999"), ",add(0)", min},
		{str("+5"), ",add(0)", "5"},
		{addr("10.0.0.1"), ",add(0)", "167772161"},
		{sint(167772161), ",ipmask(8)", "10.0.0.0"},
		{str("10.1.2.3"), ",ipmask(255.255.0.0)", "10.1.0.0"},
		{str("::ffff:10.1.2.3"), ",ipmask(24)", "10.1.2.0"},
		{str("2001:db8::1"), ",ipmask(24)", none},
		{str("2001:db8::1"), ",ipmask(24,32)", "2001:db8::"},
		{str("nope"), ",ipmask(24)", none},
		{sint(1), ",http_date", "Thu, 01 Jan 1970 00:00:01 GMT"},
		{sint(0), ",http_date(86400)", "Fri, 02 Jan 1970 00:00:00 GMT"},
		{sint(0), ",utime(%Y-%m-%dT%H:%M:%S%Z)", "1970-01-01T00:00:00GMT"},
		{sint(86400 + 3600), ",utime(%a %e %b %j %I%p,-3600)", "Fri  2 Jan 002 12AM"},
		{sint(-1), ",utime(%Y)", "1141709097"}, // masked to 55 bits: far in the future
		{str("--a-b--"), ",ltrim(-)", "a-b--"},
		{str("--a-b--"), ",rtrim(-b)", "--a"},
		{str("a\r\nb"), ",cut_crlf", "a"},
		{sint(258), ",htonl", "00000102"},
		{value{t: haproxy.SampleBool, i: 1}, ",iif(y,n)", "y"},
		{sint(0), ",iif(y,n)", "n"},
		// hashes: published check values
		{str("123456789"), ",crc32", "3421780262"},
		{str("123456789"), ",crc32c", "3808858755"},
		{str("abc"), ",djb2", "193485963"},
		{str(""), ",xxh3", strconv.FormatInt(int64(0x2D06800538D394C2), 10)},
		{str("abc"), ",sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{str("abc"), ",sha2(224)", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
		{str("abc"), ",digest(md5)", "900150983cd24fb0d6963f7d28e17f72"},
		// codecs: bad input is no sample
		{str("hi"), ",hex", "6869"},
		{str("ff"), ",hex2i", "255"},
		{str("zz"), ",hex2i", none},
		{str("hi"), ",base64", "aGk="},
		{str("aGk="), ",b64dec", "6869"},
		{str("aGk"), ",b64dec", none},
		{str("a!=="), ",b64dec", none},
		{str("\xff\xfe"), ",ub64enc", "__4"},
		{str("__4"), ",ub64dec", "fffe"},
		{str("a"), ",ub64dec", none},
		{str("%41b+c?d+e"), ",url_dec", "Ab+c?d e"},
		{str("%41b+c"), ",url_dec(1)", "Ab c"},
		{str("%4"), ",url_dec", none},
		{str("a b/é"), ",url_enc", "a%20b%2F%C3%A9"},
		{str("a\"/\x01é"), ",json(ascii)", `a\"\/\u0001\u00c3\u00a9`},
		{str("aé"), ",json(utf8)", `a\u00e9`},
		{str("a\xff"), ",json(utf8)", none},
		{str("\xef\xbf\xbe"), ",json(utf8)", none}, // U+FFFE: out of HAProxy's range
		{str("a\xffb\xc0\xafc"), ",json(utf8s)", "abc"},
		{str("\xc0\xaf"), ",json(utf8p)", `\/`}, // an overlong '/' kept
		{str("\xe2(\xa1"), ",json(utf8p)", none},
		{str("\xe2(\xa1\xc0\xaf\xf0\x9f\x98\x80"), ",json(utf8ps)", `(\/`},
		// a bool stays a bool through sint converters: bool->bin is 0 or 1
		{value{t: haproxy.SampleBool, i: 1}, ",add(1),hex", "0000000000000001"},
		{value{t: haproxy.SampleBin, s: "a\x00b"}, ",lower", "a"}, // bin->str stops at NUL
	}
	for _, tc := range tests {
		got, ok := convert(t, tc.in, tc.chain)
		if !ok {
			got = none
		}
		if got != tc.want {
			t.Errorf("%v%s = %q, want %q", tc.in, tc.chain, got, tc.want)
		}
	}
}

// TestCasts: HAProxy's matrix, the impossible casts included.
func TestCasts(t *testing.T) {
	impossible := [][2]haproxy.SampleType{
		{haproxy.SampleBool, haproxy.SampleIPv4}, {haproxy.SampleIPv4, haproxy.SampleBool},
		{haproxy.SampleIPv6, haproxy.SampleSInt}, {haproxy.SampleBin, haproxy.SampleSInt},
		{haproxy.SampleMeth, haproxy.SampleSInt}, {haproxy.SampleBin, haproxy.SampleIPv4},
	}
	for _, c := range impossible {
		if castOf(c[0], c[1]) != nil {
			t.Errorf("%s -> %s exists, HAProxy has none", c[0], c[1])
		}
	}
	v := addr("2001:db8::1")
	if v.cast(haproxy.SampleIPv4) {
		t.Errorf("a non-mapped IPv6 address cast to IPv4")
	}
	v = addr("::ffff:1.2.3.4")
	if !v.cast(haproxy.SampleIPv4) || v.a.String() != "1.2.3.4" {
		t.Errorf("mapped IPv6 -> IPv4 = %v", v.a)
	}
	v = sint(-1)
	if !v.cast(haproxy.SampleIPv4) || v.a.String() != "255.255.255.255" {
		t.Errorf("sint -1 -> IPv4 = %v", v.a)
	}
	v = addr("1.2.3.4")
	if !v.cast(haproxy.SampleBin) || v.s != "\x01\x02\x03\x04" {
		t.Errorf("IPv4 -> bin = %q", v.s)
	}
}
