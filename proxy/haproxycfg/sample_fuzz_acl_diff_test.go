package haproxycfg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// fuzzACLConds are the ACL matchers under test: each method, with and
// without -i, against a fixed pattern set.
var fuzzACLConds = []string{
	"{ req.hdr(x) -m str abc }", "{ req.hdr(x) -m str -i ABC }", "{ req.hdr(x) -m str abc def }", "{ req.hdr(x) -m str -i é }",
	"{ req.hdr(x) -m beg /a }", "{ req.hdr(x) -m beg -i /A }", "{ req.hdr(x) -m end .com }", "{ req.hdr(x) -m end -i .COM }",
	"{ req.hdr(x) -m sub b/ }", "{ req.hdr(x) -m sub -i B }", "{ req.hdr(x) -m dir a }", "{ req.hdr(x) -m dir b/c }",
	"{ req.hdr(x) -m dir -i A }", "{ req.hdr(x) -m dom example.com }", "{ req.hdr(x) -m dom -i EXAMPLE }", "{ req.hdr(x) -m dom com }",
	"{ req.hdr(x) -m reg ^a.b }", "{ req.hdr(x) -m reg -i ^A }", "{ req.hdr(x) -m reg é }", "{ req.hdr(x) -m reg ^.$ }",
	"{ req.hdr(x) -m reg [^a-z] }", "{ req.hdr(x) -m len 3 }", "{ req.hdr(x) -m len gt 5 }", "{ req.hdr(x) -m len 2:4 }",
	"{ req.hdr(x) -m found }", "{ req.hdr(x) -m int 3 }", "{ req.hdr(x) -m bin 616263 }", "{ req.hdr(x),lower -m str abc }",
	"{ req.hdr(n) -m int 1:10 }", "{ req.hdr(n) -m int lt 0 }", "{ req.hdr(n) -m int ge 9223372036854775807 }", "{ req.hdr(n) -m int -5 }",
	"{ req.hdr(n) -m int eq 0 }", "{ req.hdr(n),add(1) -m int 0 }", "{ req.hdr(n) -m str 7 }",
	"{ req.hdr(ip) -m ip 10.0.0.0/8 }", "{ req.hdr(ip) -m ip ::1 192.168.1.1 }", "{ req.hdr(ip) -m ip 2001:db8::/32 }",
	"{ req.hdr(ip) -m ip 1.2.3.0/24 }", "{ req.hdr_ip(ip) 10.0.0.0/8 }", "{ req.hdr(ip) -m ip 0.0.0.0/0 }",
	"{ path_beg /a }", "{ path_end .js }", "{ path_dir a }", "{ path_reg ^/g[0-9]+/a }", "{ path_sub b }", "{ path_len 5 }",
	"{ path_dom a }", "{ hdr_dom(host) example.com }", "{ hdr_beg(host) -i www. }", "{ hdr_end(host) :80 }", "{ req.hdr_cnt(x) 2 }",
	"{ url_param(a) -m found }", "{ url_param(a) -m beg 1 }", "{ req.cook(s) -m sub 1 }", "{ req.fhdr(x) -m str a, b }",
	"{ hdr(x) -m dom -i b.C }", "{ hdr_sub(x) -i é }",
}

// fuzzACLValue draws a value near the patterns (case variants,
// delimiters around them), or a random one.
func fuzzACLValue(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return fuzzStrVal(r)
	}
	return pick(r, "abc", "ABC", "aBc", "abcd", "def", "/a", "/A/b", "/ab", "x.com", "x.COM", ".com", "b/", "B", "a", "a/b", "/a/", "b/c",
		"/b/c/", "x/b/c?", "b/c?q", "example.com", "www.example.com", "example.com.", "EXAMPLE.com", "notexample.com", "a.example.com:80",
		"example", "a-b", "axb", "é", "É", "\xc3\xa9x", "3", "03", "3x", "-5", "7", "", "a, b", "abc, def", "x,abc", "b.c", "B.C.d", "com",
		"a?b", "/a?", "a/", "/", "ab", "\xe2\x98\x83")
}

// fuzzACLRequest draws one request for the ACL groups: one to three x
// headers (ACLs try every value), n, ip, host, a path near the patterns.
func fuzzACLRequest(r *rand.Rand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET /G%s%s HTTP/1.1\r\n", pick(r, "", "/a", "/a/b", "/x.js", "/ab/c", "/b", "/A", "/a.b"), pick(r, "", "?a=1", "?a=", "?a=2&a=1", "?b=1"))
	fmt.Fprintf(&b, "Host: %s\r\n", pick(r, "example.com", "www.Example.com", "a.example.com:80", "EXAMPLE.COM.", "h", "example.com:8080"))
	for n := r.IntN(4); n > 0; n-- {
		fmt.Fprintf(&b, "x: %s\r\n", fuzzACLValue(r))
	}
	if r.IntN(6) > 0 {
		fmt.Fprintf(&b, "n: %s\r\n", fuzzIntVal(r))
	}
	if r.IntN(6) > 0 {
		fmt.Fprintf(&b, "ip: %s\r\n", pick(r, fuzzIPVal(r), "10.1.2.3", "::ffff:10.0.0.1", "2001:db8::1", "192.168.1.1", "1.2.3.4", "::1"))
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "Cookie: s=%s\r\n", pick(r, "1", "a1b", "x"))
	}
	b.WriteString("Connection: close\r\n\r\n")
	return b.String()
}

// TestACLFuzzDifferential: ACL matchers (-m str beg end sub dir dom reg
// len int ip bin found, -i) over random inputs against a fixed pattern
// set, each printed as set or not, beside HAProxy 2.6.
// GOHA_SAMPLE_SEED replays a run.
func TestACLFuzzDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	seed := fuzzSeed(t, 1)
	r := rand.New(rand.NewPCG(seed, 0xac1))
	head := httpHead + "frontend fe\n    bind BIND\n"
	conds := fuzzAccepted(t, seed, head, fuzzACLConds, true)
	cfg, _ := fuzzConfig(head, conds, 30, true)
	ha, goha := startBoth(t, cfg)
	var reqs []string
	for i := 0; i < 300; i++ {
		reqs = append(reqs, fuzzACLRequest(r))
	}
	n := fuzzRun(t, seed, ha, goha, conds, 30, reqs)
	t.Logf("seed %d: %d conditions x %d requests (%d answers)", seed, len(conds), len(reqs), n)
}
