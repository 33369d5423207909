package haproxycfg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// fuzzConvHead sets the variables the converters read.
const fuzzConvHead = httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.v) req.hdr(v)
    http-request set-var(txn.n) req.hdr(m)
    http-request set-var(txn.k) str(a2V5)
`

// convInputs are the samples the converters read: a header value, the
// bytes of a %-encoded query parameter, the path.
var convInputs = []string{"req.hdr(x)", "urlp(a),url_dec", "path", "urlp(a)"}

// convStrChains are the string converters, args drawn by r.
func convStrChains(r *rand.Rand) []string {
	in := func() int { return pick(r, -100, -3, -1, 0, 1, 2, 3, 5, 8, 100) }
	delim := func() string { return pick(r, ";", "=", "/", "a", "-", ".", ";=", "ab", "%") }
	re := func() string { return pick(r, "a", "[0-9]+", "^", "$", ".", "(a)(b)?", "x*", "[^a-z]", "A|b", "^.") }
	sub := func() string { return pick(r, "X", "", "<\\1>", "\\0", "-\\2-") }
	flags := func() string { return pick(r, "", "g", "i", "gi") }
	chars := func() string { return pick(r, "a", " ", "ab", "/;", "x") }
	seed := func() string { return pick(r, "", "0", "1", "-1", "12345", "4294967296") }
	return []string{
		"lower", "upper", "length", "hex", "base64", "ub64enc", "url_enc", "url_enc(query)",
		"json", "json(utf8)", "json(utf8s)", "json(utf8p)", "json(utf8ps)", "json(ascii)",
		"djb2", "djb2(1)", "sdbm", "sdbm(1)", "wt6", "wt6(1)", "crc32", "crc32(1)", "crc32c", "crc32c(1)",
		"xxh32(" + seed() + ")", "xxh64(" + seed() + ")", "xxh3(" + seed() + ")", "xxh3",
		"sha1,hex", "sha2,hex", "sha2(" + pick(r, "224", "384", "512") + "),hex", "digest(" + pick(r, "md5", "sha1", "sha256", "sha512") + "),hex",
		"hmac(" + pick(r, "sha256", "sha1", "md5") + ",a2V5),hex", "hmac(sha256,txn.k),hex",
		"b64dec,hex", "ub64dec,hex", "b64dec", "ub64dec", "hex2i", "url_dec", "url_dec(1)", "url_dec(0)",
		fmt.Sprintf("bytes(%d)", in()), fmt.Sprintf("bytes(%d,%d)", in(), in()),
		fmt.Sprintf("field(%d,%s)", in(), delim()), fmt.Sprintf("field(%d,%s,%d)", in(), delim(), in()),
		fmt.Sprintf("word(%d,%s)", in(), delim()), fmt.Sprintf("word(%d,%s,%d)", in(), delim(), in()),
		fmt.Sprintf("regsub(%s,%s,%s)", re(), sub(), flags()), fmt.Sprintf("regsub(%s,%s)", re(), sub()),
		"ltrim(" + chars() + ")", "rtrim(" + chars() + ")", "cut_crlf", "host_only", "port_only",
		fmt.Sprintf("be2dec(%s,%d)", pick(r, ":", "", "-"), pick(r, 1, 2, 3, 4, 8)), fmt.Sprintf("be2dec(%s,%d,1)", pick(r, ":", "", "-"), pick(r, 1, 2, 3, 4, 8)),
		"be2hex", fmt.Sprintf("be2hex(%s,%d)", pick(r, ":", "", "-"), pick(r, 1, 2, 3)), fmt.Sprintf("be2hex(%s,%d,1)", pick(r, ":", ""), pick(r, 1, 2, 3)),
		"concat(<,txn.v,>)", "concat(,txn.none,)", "concat(" + delim() + ")", "strcmp(txn.v)", "secure_memcmp(txn.v)",
		"add_item(" + delim() + ",txn.v)", "add_item(;,txn.none,sfx)", "language(en;fr;de)", "language(de,xx)",
		"length,add(1)", "lower,upper,length", "hex,lower", "bool", "not",
	}
}

// convIntChains are the integer converters, read after req.hdr(n).
func convIntChains(r *rand.Rand) []string {
	k := func() string {
		return pick(r, "0", "1", "-1", "2", "7", "-3", "255", "9223372036854775807", "-9223372036854775808", "4294967296", "txn.n", "txn.none")
	}
	return []string{
		"add(" + k() + ")", "sub(" + k() + ")", "mul(" + k() + ")", "div(" + k() + ")", "mod(" + k() + ")",
		"and(" + k() + ")", "or(" + k() + ")", "xor(" + k() + ")", "div(0)", "mod(0)",
		"neg", "cpl", "bool", "not", "odd", "even", "htonl,hex", "hex", "iif(y,n)", "bool,iif(,n)",
		"ltime(" + pick(r, "%Y-%m-%d %H:%M:%S", "%s", "%j %a %b %e", "%%") + "," + pick(r, "0", "-3600", "86400") + ")",
		"utime(" + pick(r, "%Y-%m-%dT%H:%M:%S", "%s", "%U %w %y %Z") + ")",
		// an offset that takes the date out of gmtime's years is left out:
		// HAProxy formats the struct tm gmtime_r failed to fill
		// (uninitialized memory), goha the number
		"utime(%s," + pick(r, "0", "1", "-1", "7", "-3", "255", "86400") + ")",
		"http_date", "http_date(" + pick(r, "0", "-1", "3600") + ")", "http_date(0," + pick(r, "s", "ms", "us") + ")",
		"ipmask(24)", "length", "add(1),mul(" + k() + ")",
	}
}

// convIPChains are the address converters, after req.hdr(ip).
func convIPChains(r *rand.Rand) []string {
	return []string{
		"ipmask(" + pick(r, "0", "8", "24", "32", "255.255.0.0", "255.0.255.0") + ")",
		"ipmask(" + pick(r, "16", "32") + "," + pick(r, "0", "64", "128", "1") + ")", "hex", "length", "ipmask(24),hex",
	}
}

// fuzzStrVal draws a header value: printable bytes, obs-text (invalid
// UTF-8 and valid sequences), inner blanks.
func fuzzStrVal(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return pick(r, "", "abc", "a;b;c", "a=b;c=d", "/a/b/", "Example.COM:8080", "[::1]:80", "é", "\xe2\x98\x83", "\xff\xfe", "YWJj", "YW Jj", "a-_b", "AbC", "x%41y")
	case 1:
		return fuzzBytes(r, r.IntN(24), "ab;=/-.AB019 \t\xc3\xa9\xff%:[]")
	default:
		return strings.TrimSpace(fuzzBytes(r, r.IntN(40), "abcxyzAXZ0123456789 !\"$&'()*+,-./:;<=>?@[\\]^_`{|}~\t\x80\xc3\xa9\xe2\x98\x83\xff"))
	}
}

// fuzzIntVal draws an integer as text: small, big, overflowing, junk.
func fuzzIntVal(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return fmt.Sprint(r.Int64N(2000) - 1000)
	case 1:
		return fmt.Sprint(r.Int64() - r.Int64())
	}
	return pick(r, "", "0", "-0", "+5", "12abc", "abc", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "2147483647", "2147483648", "4294967296", "-1", " 7", "0x10", "1e3", "00012")
}

func fuzzIPVal(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return fmt.Sprintf("%d.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
	}
	return pick(r, "::1", "2001:db8::ff", "::ffff:1.2.3.4", "1.2.3", "256.0.0.1", "junk", "0.0.0.0", "255.255.255.255", "fe80::1%eth0", "::", "1.2.3.4 ", "01.2.3.4", "")
}

// fuzzConvRequest draws one request: a parameter a (arbitrary bytes,
// %-encoded), headers x (string), n (integer), ip, v and m (the
// variables), some missing.
func fuzzConvRequest(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("GET /G")
	b.WriteString(pick(r, "", "/p", "/a;b/c.d", "/%41b", "/x/"+fuzzPct(r, fuzzBytes(r, r.IntN(8), "ab/;:."))))
	if r.IntN(8) > 0 {
		raw := fuzzBytes(r, r.IntN(30), "abc;=&/+ .-_\x00\x01\x7f\xc3\xa9\xff%AZ09")
		fmt.Fprintf(&b, "?%sa=%s", pick(r, "", "b=1&", "a=&"), fuzzPct(r, raw))
		if r.IntN(6) == 0 {
			b.WriteString(pick(r, "%", "%4", "%zz", "%%", "+", "&a=2"))
		}
	}
	b.WriteString(" HTTP/1.1\r\nHost: h\r\n")
	hdr := func(name, v string) {
		if r.IntN(7) > 0 {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	hdr("x", fuzzStrVal(r))
	hdr("n", fuzzIntVal(r))
	hdr("ip", fuzzIPVal(r))
	hdr("v", pick(r, "abc", "", "x", fuzzStrVal(r)))
	hdr("m", fuzzIntVal(r))
	b.WriteString("Connection: close\r\n\r\n")
	return b.String()
}

// TestConverterFuzzDifferential: every implemented converter, its
// arguments drawn at random (negative offsets and indexes, divisions by
// zero, masks, formats), over random request-derived inputs (header
// bytes with obs-text and blanks, %-decoded parameter bytes with NUL and
// control bytes, integers that overflow or carry junk, addresses,
// missing samples), beside HAProxy 2.6: the same -c refusals, and the
// same answer bytes for every request. GOHA_SAMPLE_SEED replays a run.
func TestConverterFuzzDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	seed := fuzzSeed(t, 1)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var exprs []string
	for _, c := range convStrChains(r) {
		for _, in := range convInputs[:2] {
			exprs = append(exprs, in+","+c)
		}
		exprs = append(exprs, pick(r, convInputs[2:]...)+","+c)
	}
	for _, c := range convIntChains(r) {
		exprs = append(exprs, "req.hdr(n),"+c)
	}
	for _, c := range convIPChains(r) {
		exprs = append(exprs, "req.hdr(ip),"+c)
	}
	exprs = fuzzAccepted(t, seed, fuzzConvHead, exprs, false)
	cfg, _ := fuzzConfig(fuzzConvHead, exprs, 24, false)
	ha, goha := startBoth(t, cfg)
	var reqs []string
	for i := 0; i < 300; i++ {
		reqs = append(reqs, fuzzConvRequest(r))
	}
	n := fuzzRun(t, seed, ha, goha, exprs, 24, reqs)
	t.Logf("seed %d: %d expressions x %d requests (%d answers)", seed, len(exprs), len(reqs), n)
}
