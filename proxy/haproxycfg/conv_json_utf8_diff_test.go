package haproxycfg

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// jsonUTF8Inputs are byte strings for json's UTF-8 modes, one defect of
// HAProxy's decoder each: valid 2-, 3- and 4-byte forms, 5- and 6-byte
// forms, overlong forms (of '/', of U+00E9, of U+20AC, of U+10000),
// surrogates, U+FFFE and U+FFFF, stray continuation bytes, 0xfe/0xff, a
// lead with too few bytes left, a lead followed by a non-continuation
// byte in the middle of a sequence.
var jsonUTF8Inputs = []string{
	"plain", "caf\xc3\xa9", "\xe2\x82\xac/x", "a\xf0\x9f\x98\x80b", "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80z",
	"\xc0\xaf", "\xc1\xbf", "\xe0\x83\xa9", "\xf0\x82\x82\xac", "\xf8\x80\x80\x80\xaf", "\xf8\x80\x90\x80\x80",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xbf\xbd", "a\x80b", "\xbf\xbf",
	"x\xfey\xff", "ab\xc3", "ab\xe2\x82", "\xe2\x82q\xc3\xa9", "\xf0\x9f\x98q", "\xe2(\xa1", "\xc3\xc3\xa9",
	"\x01\x1f\x7f \"\\\t", "\xe0\x80\x80", "\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf",
}

// TestJSONUTF8ModesDifferential: json(ascii, utf8, utf8s, utf8p, utf8ps)
// over jsonUTF8Inputs (%-encoded in parameter a, read by url_dec) beside
// HAProxy 2.6: both accept the five modes at -c and print the same
// escapes, the same dropped sequences and the same missing samples.
func TestJSONUTF8ModesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var exprs []string
	for _, m := range []string{"ascii", "utf8", "utf8s", "utf8p", "utf8ps"} {
		exprs = append(exprs, "urlp(a),url_dec,json("+m+")")
	}
	exprs = fuzzAccepted(t, 0, httpHead+"frontend fe\n    bind BIND\n", exprs, false)
	if len(exprs) != 5 {
		t.Fatalf("accepted %q", exprs)
	}
	cfg, _ := fuzzConfig(httpHead+"frontend fe\n    bind BIND\n", exprs, len(exprs), false)
	ha, goha := startBoth(t, cfg)
	var reqs []string
	for _, in := range jsonUTF8Inputs {
		var q strings.Builder
		for i := 0; i < len(in); i++ {
			fmt.Fprintf(&q, "%%%02X", in[i])
		}
		reqs = append(reqs, "GET /G?a="+q.String()+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	n := fuzzRun(t, 0, ha, goha, exprs, len(exprs), reqs)
	t.Logf("%d inputs x %d modes (%d answers)", len(reqs), len(exprs), n)
}
