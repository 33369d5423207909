package haproxycfg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// fuzzFetchExprs are the request fetches under test; occurrence indexes
// and names drawn by r.
func fuzzFetchExprs(r *rand.Rand) []string {
	occ := func() int { return pick(r, -10, -3, -2, -1, 1, 2, 3, 10) }
	return []string{
		"url_param(a)", "urlp(a)", "urlp(b)", "urlp(a,;)", "urlp(b,;)", "urlp(%61)", "urlp", "urlp(A)", "urlp(a[])",
		"urlp_val(a)", "urlp(a),url_dec", "url_param(,;)",
		"req.cook(s)", "req.cook(t)", "req.cook", "req.cook_cnt(s)", "req.cook_cnt", "req.cook_val(s)", "cook(s)",
		"req.cook($Version)", "req.cook(S)",
		"req.hdr(h)", "req.hdr(h,1)", fmt.Sprintf("req.hdr(h,%d)", occ()), fmt.Sprintf("req.hdr(h,%d)", occ()), "req.hdr(h,-1)", "req.hdr(h,10)",
		"req.fhdr(h)", fmt.Sprintf("req.fhdr(h,%d)", occ()), "req.fhdr(h,-2)", "hdr_cnt(h)", "req.fhdr_cnt(h)", "req.hdr_cnt(cookie)", "req.cook()", "req.cook_val", "cook_cnt",
		"req.fhdr_cnt(cookie)", "hdr(h,2)", "req.hdr_val(h)", "req.hdr(cookie)", "req.fhdr(cookie)",
		"query", "path", "pathq", "base", "baseq", "url", "method", "req.ver", "req_ver", "url_port", "url_ip",
		"req.hdr(host)", "base32", "url32", "path,length", "query,length", "req.hdr(h),length",
	}
}

// fuzzTarget draws a request target after /G: path segments with
// %-escapes and dot segments, a query string with repeated, empty,
// encoded names and ';' delimiters.
func fuzzTarget(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(4); n > 0; n-- {
		b.WriteString(pick(r, "/", "/x", "/%2F", "/a;b", "/.", "/..", "//", "/%41%zz", "/"+fuzzPct(r, fuzzBytes(r, r.IntN(5), "ab.;:@!$'()*+,="))))
	}
	if r.IntN(6) > 0 {
		b.WriteByte('?')
		for n := r.IntN(5); n >= 0; n-- {
			if n != 0 || r.IntN(3) == 0 {
				b.WriteString(pick(r, "a=1", "a=", "a", "b=2", "%61=3", "A=4", "a[]=5", "a=x%20y", "=6", "a=b=c", "b", "a=%zz", "a=+", "c=a"))
			}
			if n > 0 {
				b.WriteString(pick(r, "&", "&", ";", "&&", "&;"))
			}
		}
	}
	return b.String()
}

// fuzzFetchRequest draws one request: an odd method at times, a target
// in origin or absolute form, HTTP/1.0 or 1.1, Cookie and h headers with
// repeated lines, comma lists, quotes and blanks.
func fuzzFetchRequest(r *rand.Rand) string {
	method := pick(r, "GET", "GET", "POST", "HEAD", "PUT", "PURGE", "get", "M-SEARCH", "X", "OPTIONS", "DELETE", "PATCH", "BREW")
	target := "/G" + fuzzTarget(r)
	host := pick(r, "h", "h:81", "Example.COM", "10.0.0.1:8080", "[::1]:99")
	if r.IntN(5) == 0 {
		target = "http://" + host + target
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\n", method, target, pick(r, "HTTP/1.1", "HTTP/1.1", "HTTP/1.0"), host)
	for n := r.IntN(4); n > 0; n-- {
		fmt.Fprintf(&b, "Cookie: %s\r\n", pick(r, "s=1; t=2", "s=; s=3", "s = 4", "s", "=x", "s=a,b", "$Version=1; s=5", "t=6;s=7",
			`s="q"`, "S=8", "s=9;", ";s=10", "a=1, s=11", "s=12 ;t=13", fuzzBytes(r, r.IntN(12), "st=;, 1\"")))
	}
	for n := r.IntN(5); n > 0; n-- {
		fmt.Fprintf(&b, "h: %s\r\n", pick(r, "a", "a, b", "c,d ,e", "", " f ", `"x,y", z`, `"p\"q,r", s`, ",", "1, 2", "-7", "10.0.0.1", "w,",
			strings.TrimSpace(fuzzBytes(r, r.IntN(10), "ab ,\"\\"))))
	}
	b.WriteString("Connection: close\r\n\r\n")
	return b.String()
}

// TestFetchFuzzDifferential: the request fetches (query parameters,
// cookies, header occurrences, the target's parts, method, version) over
// random requests, beside HAProxy 2.6, byte for byte.
// GOHA_SAMPLE_SEED replays a run.
func TestFetchFuzzDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	seed := fuzzSeed(t, 1)
	r := rand.New(rand.NewPCG(seed, 0xfe7c))
	head := httpHead + "frontend fe\n    bind BIND\n"
	exprs := fuzzAccepted(t, seed, head, fuzzFetchExprs(r), false)
	cfg, _ := fuzzConfig(head, exprs, 20, false)
	ha, goha := startBoth(t, cfg)
	var reqs []string
	for i := 0; i < 300; i++ {
		reqs = append(reqs, fuzzFetchRequest(r))
	}
	n := fuzzRun(t, seed, ha, goha, exprs, 20, reqs)
	t.Logf("seed %d: %d expressions x %d requests (%d answers)", seed, len(exprs), len(reqs), n)
}
