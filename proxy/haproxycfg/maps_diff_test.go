package haproxycfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mapFiles are the map and pattern files of TestMapDifferential, by name:
// comments (first column only), indented lines, blank lines, a CRLF line,
// duplicate keys, values with inner and trailing blanks, keys that are
// prefixes of one another in both orders.
var mapFiles = map[string]string{
	"str.map": "# comment\nabc\tfirst value\n  ABC upper  \nabc second\n\n   # indented hash is a key\nempty\n" +
		"crlf crlf-value\r\nten 10\n7 seven\n10.1.2.3 addr\n",
	"beg.map":    "/a short\n/abc long\n/ root\na:b two\na three\n",
	"end.map":    "c end-c\nbc end-bc\n:c end-colon\n",
	"sub.map":    "b sub-b\nab sub-ab\n:b: sub-colons\n",
	"dir.map":    "b dir-b\n/p dir-p\nq dir-q\n",
	"dom.map":    "example.com dom-ex\nwww.example.com dom-www\ncom dom-com\nb dom-b\n",
	"reg.map":    "^a.c$ reg-abc\n^[0-9]+$ reg-num\n[:] reg-colon\n. reg-any\n",
	"regm.map":   "^([a-z]+):([a-z]+) \\2-\\1\n^(a)(x)?b \\1[\\2]\n([0-9])([0-9]*) n\\1-\\2\n",
	"int.map":    "1:5 small\n7 seven\n:-8 low\n10-20 dash\n-7 upto7\n0 zero\n100: big\n",
	"ip.map":     "10.0.0.0/8 ten\n10.1.0.0/16 ten-one\n10.1.2.3 host\n::ffff:10.1.0.0/112 mapped\n2001:db8::/32 doc\n127.0.0.1 local\n",
	"intval.map": "abc 5\nABC -3\n7 70\n",
	"ipval.map":  "abc 10.9.8.7\n7 2001:db8::7\n",
	"pats.txt":   "# comment\nabc\n  7\ntrail  \n\ttab\r\n\n   # not a comment\nHello World\n",
	"ints.txt":   "-5\n10-20\n100:\n",
	"pats2.txt":  "a:b\nzz\n",
}

// mapExprs are the map converter chains under test, each after
// req.hdr(x) ("$" is the directory of the files).
var mapExprs = []string{
	"map($/str.map)", "map($/str.map,dflt)", "map_str($/str.map,none)", "lower,map_str($/str.map)",
	"map_beg($/beg.map)", "map_beg($/beg.map,no)", "map_end($/end.map,no)", "map_sub($/sub.map,no)",
	"map_dir($/dir.map,no)", "map_dom($/dom.map,no)", "map_reg($/reg.map,no)", "map_regm($/regm.map,no)",
	"map_int($/int.map,no)", "map_int($/int.map)", "map_ip($/ip.map,no)", "map_ip($/ip.map)",
	"map_str_int($/intval.map,-1)", "map_str_int($/intval.map),add(1)", "map_str_ip($/ipval.map,1.1.1.1)",
	"map_str_ip($/ipval.map)", "map_beg_int($/intval.map,0)", "map_sub_ip($/ipval.map,::1)",
	"map_ip_int($/ipint.map,0)", "map_int_int($/intint.map,-9)", "map_int_ip($/intip.map,0.0.0.0)",
	"map_end_int($/intval.map,4)", "map_dom_int($/intval.map,4)", "map_dir_ip($/ipval.map,1.2.3.4)",
	"map_reg_int($/intval.map,8)", "map_reg_ip($/ipval.map,4.4.4.4)", "map_ip_ip($/ipip.map)",
	"length,map_int($/int.map,no)",
	"map_beg_ip($/ipval.map,5.5.5.5)", "map_dir_int($/intval.map,3)", "map_dom_ip($/ipval.map)",
	"map_end_ip($/ipval.map,::2)", "map_sub_int($/intval.map,-4)", "map_sub_int($/intval.map)",
}

// mapValues are the values of header X.
var mapValues = []string{
	"abc", "ABC", "Abc", "empty", "crlf", "ten", "7", "10.1.2.3", "10.1.9.9", "10.2.0.1", "11.0.0.1", "::ffff:10.1.2.3",
	"2001:db8::5", "127.0.0.1", "/abcd", "/ab", "/x", "a:b:c", "a::b:", "b", "/p/q", "www.example.com", "x.example.com",
	"example.community", "", "-7", "-9", "0", "15", "100", "123", "axb", "ab", "Hello World", "zz", "12abc", "#", "a", "a?b", "x/q?r", "b.", ".b", "a:b", "q", "trail", "tab",
}

// TestMapDifferential: the map converters (every match, output types,
// defaults, no default) in set-header values, and ACL pattern files (-f,
// several -f, -f with inline patterns, -M on a map file), against HAProxy
// 2.6 on the same files and requests: the backend must receive the same
// headers.
func TestMapDifferential(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"ipint.map":  "10.0.0.0/8 8\n10.1.2.0/24 24\n",
		"intint.map": "0:9 1\n10:99 2\n",
		"intip.map":  "7 10.0.0.7\n0: 10.0.0.1\n",
		"ipip.map":   "10.0.0.0/8 ::1\n0.0.0.0/0 1.2.3.4\n",
	}
	for k, v := range mapFiles {
		files[k] = v
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	// No pattern cache: with it, HAProxy 2.6 answers map_sub* with a
	// cached map_end* result of the same file and the other way round
	// (goha refuses that: parser/haproxy patcache.go,
	// TestPatternCacheSharingRefused).
	b.WriteString("global\n    tune.pattern.cache-size 0\n" + httpHead + "frontend fe\n    bind BIND\n")
	for i, e := range mapExprs {
		fmt.Fprintf(&b, "    http-request set-header x-f-%03d \"%%[req.hdr(x),%s]\"\n", i, strings.ReplaceAll(e, "$", dir))
	}
	acls := []string{
		"req.hdr(x) -f $/pats.txt",
		"req.hdr(x) -f $/pats.txt -f $/pats2.txt",
		"req.hdr(x) -f $/pats2.txt ten 7",
		"req.hdr(x) -i -f $/pats.txt",
		"req.hdr(x) -m beg -f $/pats2.txt",
		"req.hdr(x) -M -f $/str.map",
		"req.hdr(x) -m sub -M -f $/sub.map",
		"req.hdr(x) -m ip -M -f $/ip.map",
		"req.hdr(x),map($/str.map) -m beg f s",
		"req.hdr(x) -m int -f $/ints.txt", "req.hdr(x),length -m int -- -2 7",
		"req.hdr(x) -m dom b example.com", "req.hdr(x) -m dir b q",
	}
	for i, a := range acls {
		fmt.Fprintf(&b, "    acl a%d %s\n    http-request set-header x-f-acl%d yes if a%d\n", i, strings.ReplaceAll(a, "$", dir), i, i)
	}
	b.WriteString("    default_backend be\nbackend be\n    server s1 " + startHeaderEcho(t) + "\n")
	ha, goha := startBoth(t, b.String())
	for _, v := range mapValues {
		req := convRequest(v)
		want, got := matchedACLs(t, ha, req), matchedACLs(t, goha, req)
		if v == "abc" && (!strings.Contains(want, "x-f-000=first value") || !strings.Contains(want, "x-f-acl0=yes")) {
			t.Errorf("X: abc: HAProxy did not map it as expected: %q", want)
		}
		if want == got {
			continue
		}
		w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
		wm, gm := map[string]bool{}, map[string]bool{}
		for _, l := range w {
			wm[l] = true
		}
		for _, l := range g {
			gm[l] = true
		}
		for _, l := range w {
			if !gm[l] {
				t.Errorf("X: %q: only haproxy: %q", v, l)
			}
		}
		for _, l := range g {
			if !wm[l] {
				t.Errorf("X: %q: only goha:    %q", v, l)
			}
		}
	}
}
