package haproxycfg

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/http1"
)

// convValues are the values of header X the converter rows read: words,
// separators, integers at the int64 bounds, addresses, base64 text, bad
// hex, an empty value.
var convValues = []string{
	"abc", "ABC", "a:b:c", "a::b:", "7", "-7", "0", "12abc", "9223372036854775807", "-9223372036854775808",
	"", "aQ==", "aGk==", "a+b/", "10.1.2.3", "::ffff:10.1.2.3", "2001:db8::1", "aGk=", "aGk", "_-8", "ff", "zz", "%41b+c?d+e",
	"Hello World", "a b&c=d/e?f~g.h-i_j*k!l'(m)n;o:p@q$s+t\"u<v>w{x}y|z^`[]#%25", "caf\xc3\xa9 \xe2\x82\xac", "\xff\xfe",
	"%4", "%zz", "x%00y",
}

// convExprs are the converter chains under test, each after req.hdr(x)
// (bool results are tested with -m bool, the others through ,hex: see
// TestConverterDifferential).
var convExprs = []string{
	"lower", "upper", "length", "bytes(1)", "bytes(1,1)", "bytes(10)", "bytes(0,0)",
	"field(2,:)", "field(-1,:)", "field(2,:,2)", "field(1,:,0)", "field(-2,:,2)", "field(4,:)",
	"word(2,:)", "word(-1,:)", "word(1,b)", "word(3,:)", "word(1,:,2)",
	"regsub(b,X)", "regsub(b,X,g)", "regsub(^a,X)", "regsub(x*,-,g)", "regsub(B,y,i)", "regsub(:,,g)",
	"concat(pre-)", "concat(pre-,,-post)", "concat(,,!)",
	"add(3)", "sub(3)", "mul(-2)", "div(2)", "div(0)", "div(-1)", "mod(3)", "mod(0)", "neg", "cpl",
	"and(6)", "or(8)", "xor(5)", "mul(9223372036854775807)", "add(9223372036854775807)",
	"sub(-9223372036854775808)", "add(-9223372036854775808)",
	"ipmask(24)", "ipmask(255.255.0.0)", "ipmask(24,64)", "ipmask(8,ffff::)", "add(0),ipmask(32)",
	"http_date", "http_date(3600)", "http_date(-10,s)",
	"djb2", "sdbm", "wt6", "crc32", "crc32c", "djb2(1)", "sdbm(1)", "wt6(1)", "crc32(1)", "crc32c(1)",
	"xxh3", "xxh3(5)", "sha1", "sha2", "sha2(224)", "sha2(384)", "sha2(512)", "digest(md5)", "digest(sha256)",
	"hex", "hex2i", "base64", "b64dec", "ub64enc", "ub64dec", "length,add(1),hex2i", "add(1),lower,upper",
	"hex,lower", "base64,b64dec", "json(ascii)", "json()", "json(utf8)", "url_dec", "url_dec(1)", "url_enc",
	"url_enc(query)", "url_dec,url_enc",
	"ltime(%Y%m%d%H%M%S)", "utime(%a-%d-%b-%y)", "utime(%s)", "utime(%j:%u:%w:%e:%k:%l:%I:%p)", "utime(%F_%T_%D_%R)",
	"ltrim(a-)", "rtrim(:c)", "cut_crlf", "htonl", "add(1),htonl", "bool,iif(yes,no)", "length,iif(long,)",
	"utime(%Z%z)", "ltime(%Z%z)", "utime(%C%y%B%A%h,3600)", "utime(%%%n%t)", "ltime(%s,-7200)",
}

// convBoolExprs return a bool: matched with -m bool.
var convBoolExprs = []string{"req.hdr(x),bool", "req.hdr(x),not", "req.hdr(x),odd", "req.hdr(x),even",
	"req.hdr(x),length,bool", "req.hdr(x),add(1),odd", "bool(1)", "bool(false),not", "always_true,not", "always_false,not",
	"src_port,bool", "src_port,mod(65536),bool"}

// constExprs are fetches that do not read the request, with converters.
var constExprs = []string{
	"int(5),add(1)", "int(-3)", "str(abc),upper", "str(12abc),add(1)", "ipv4(10.1.2.3),ipmask(16)",
	"ipv6(2001:db8::1),ipmask(8,ffff::)", "bin(4142),lower", "meth(GET),lower", "bool(true),add(1)",
	"int(258),ipmask(32)", "ipv4(1.2.3.4),add(0)", "str(hi),sha2,base64", "pathq", "base32",
	"req.ver", "req.cook_cnt", "req.cook_cnt(a)", "cook_cnt(b)", "nbproc", "env(PATH)", "env(GOHA_NOPE_UNSET)", "hostname",
	"str(),length",
}

// gohaText is what goha's pipeline gives for expr on the request, as the
// pattern an acl compares with.
func gohaText(t *testing.T, expr, raw string) (string, bool) {
	t.Helper()
	e, err := acl.CompileExpr(haproxy.ParseSample(expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	var req http1.Request
	if err := req.Parse([]byte(raw)); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return e.Text(proxy.NewRequestInfo(netip.MustParseAddrPort("127.0.0.1:1"), &req))
}

func convRequest(v string) string {
	return "GET /p/q?a=1 HTTP/1.1\r\nHost: t\r\nX: " + v + "\r\nCookie: a=1; b=2\r\nConnection: close\r\n\r\n"
}

// TestConverterDifferential: every converter row, typed casts and the
// constant and request fetches, against HAProxy 2.6. For each expression
// and each value of header X, goha computes the result; an acl compares
// the expression's ,hex with it (-m str), another tests -m found, and the
// same acls run in both proxies on every request: the sets of acls that
// match must be equal. So a value HAProxy computes differently, or a
// "no sample" on one side only, shows as a difference.
func TestConverterDifferential(t *testing.T) {
	t.Parallel()
	var exprs []string
	for _, c := range convExprs {
		exprs = append(exprs, "req.hdr(x),"+c)
	}
	exprs = append(exprs, constExprs...)
	// every value, and one request in HTTP/1.0 (req.ver)
	reqs := map[string]string{"abc (HTTP/1.0)": strings.Replace(convRequest("abc"), " HTTP/1.1\r\n", " HTTP/1.0\r\n", 1)}
	for _, v := range convValues {
		reqs[v] = convRequest(v)
	}
	type row struct {
		acl, desc string
		anyway    bool // may never match (found, bool rows)
	}
	var rows []row
	for _, e := range exprs {
		rows = append(rows, row{e + " -m found", e + " found", true})
		seen := map[string]bool{}
		for v, req := range reqs {
			got, ok := gohaText(t, e+",hex", req)
			if !ok || seen[got] {
				continue
			}
			seen[got] = true
			pat := "-m str " + got
			if got == "" {
				pat = "-m len 0"
			}
			rows = append(rows, row{e + ",hex " + pat, fmt.Sprintf("%s = %q (from %q)", e, unhexText(got), v), false})
		}
	}
	for _, e := range convBoolExprs {
		rows = append(rows, row{e + " -m found", e + " found", true}, row{e + " -m bool", e + " true", true})
	}
	// Chunks keep the matches of one request under HAProxy's limit of
	// header fields (tune.http.maxhdr 101).
	const chunk = 80
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		acls := make([]string, len(part))
		for i, r := range part {
			acls[i] = r.acl
		}
		ha, goha := startBoth(t, matchConfig(acls, startMatchEcho(t)))
		everMatched := map[string]bool{}
		for v, req := range reqs {
			want, got := matchedACLs(t, ha, req), matchedACLs(t, goha, req)
			for _, n := range strings.Fields(want) {
				everMatched[n] = true
			}
			if want == got {
				continue
			}
			for _, d := range symDiff(want, got) {
				var i int
				fmt.Sscanf(d.name, "a%d", &i)
				t.Errorf("X: %q: acl %s (%s) matched in %s only", v, part[i].acl, part[i].desc, d.side)
			}
		}
		// Each row was made from a value goha computed for one of the
		// requests: a row HAProxy never matched tests nothing.
		for i, r := range part {
			if name := fmt.Sprintf("a%03d", i); !everMatched[name] && !r.anyway {
				t.Errorf("acl %s (%s) never matched: the row tests nothing", r.acl, r.desc)
			}
		}
	}
}

func unhexText(h string) string {
	b, _ := hex.DecodeString(h)
	return string(b)
}

// matchConfig is a frontend with acls a000..: each one that matches makes
// the proxy add a header x-m-a<i> the echo backend lists.
func matchConfig(acls []string, backend string) string {
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	for i, a := range acls {
		fmt.Fprintf(&b, "    acl a%03d %s\n", i, a)
	}
	for i := range acls {
		fmt.Fprintf(&b, "    http-request set-header x-m-a%03d 1 if a%03d\n", i, i)
	}
	b.WriteString("    default_backend be\nbackend be\n    server s1 " + backend + "\n")
	return b.String()
}

func matchedACLs(t *testing.T, addr, req string) string {
	t.Helper()
	return exchangeSole(t, addr, req).Body
}

type sided struct{ name, side string }

// symDiff lists the names in one space-separated list only.
func symDiff(want, got string) []sided {
	w, g := map[string]bool{}, map[string]bool{}
	for _, n := range strings.Fields(want) {
		w[n] = true
	}
	for _, n := range strings.Fields(got) {
		g[n] = true
	}
	var out []sided
	for n := range w {
		if !g[n] {
			out = append(out, sided{n, "haproxy"})
		}
	}
	for n := range g {
		if !w[n] {
			out = append(out, sided{n, "goha"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
